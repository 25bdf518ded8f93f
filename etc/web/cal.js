/*
 * The event form's recurrence chooser works without this script, every
 * part shown.  With it, only the parts the chosen frequency uses are shown:
 * each part names them in its data-show attribute ("daily weekly ...").
 * Hidden parts are still sent; the server ignores what the frequency does
 * not use.
 */
"use strict";

document.addEventListener("DOMContentLoaded", function () {
	var sets = document.querySelectorAll("[data-recur]"), i;

	function bind(set) {
		var freq = set.querySelector("[data-recur-freq]");
		var parts = set.querySelectorAll("[data-show]");

		function update() {
			var j, names;

			for (j = 0; j < parts.length; j++) {
				names = parts[j].getAttribute("data-show")
				    .split(" ");
				parts[j].hidden =
				    names.indexOf(freq.value) === -1;
			}
		}
		if (freq === null)
			return;
		freq.addEventListener("change", update);
		update();
	}
	for (i = 0; i < sets.length; i++)
		bind(sets[i]);
});
