/*
 * The console works without this script; it only keeps a form
 * from being sent twice by an impatient tap on a slow phone.
 */
"use strict";

document.addEventListener("submit", function (ev) {
	var form = ev.target, buttons, i;

	if (form.dataset.sent === "1") {
		ev.preventDefault();
		return;
	}
	form.dataset.sent = "1";
	buttons = form.querySelectorAll("button[type=submit]");
	for (i = 0; i < buttons.length; i++)
		buttons[i].setAttribute("aria-busy", "true");
	/* a page kept in the back-forward cache must stay usable */
	window.addEventListener("pageshow", function () {
		form.dataset.sent = "";
	}, { once: true });
});
