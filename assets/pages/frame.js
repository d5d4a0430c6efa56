// Inside the embedded programme: tell the page around the iframe how tall the programme is, so
// it can show all of it without a second scroll bar. Only a height is sent; nothing personal.
(function () {
  if (window.parent === window) return;
  var last = 0;
  function tell() {
    var height = Math.ceil(document.documentElement.scrollHeight);
    if (height !== last) {
      last = height;
      window.parent.postMessage({ type: "groupwork:height", height: height }, "*");
    }
  }
  window.addEventListener("load", tell);
  window.addEventListener("resize", tell);
  if (window.ResizeObserver) new ResizeObserver(tell).observe(document.body);
  tell();
})();
