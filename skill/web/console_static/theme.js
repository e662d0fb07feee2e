// Before the page is drawn: her chosen colours, so a dark room never gets a white flash.
(function () {
  "use strict";
  try {
    var theme = window.localStorage.getItem("cramp-coach-theme");
    if (theme === "dark" || theme === "light") {
      document.documentElement.setAttribute("data-theme", theme);
    }
  } catch (blocked) {
    // storage switched off: follow the system's colours
  }
})();
