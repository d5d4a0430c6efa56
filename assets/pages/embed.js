// On the centre's own page, beside the iframe: resize every iframe showing our programme to the
// height the programme says it is. Messages from anywhere but our own address are ignored.
(function () {
  var me = document.currentScript && new URL(document.currentScript.src, location.href).origin;
  if (!me) return;
  window.addEventListener("message", function (event) {
    if (event.origin !== me || !event.data || event.data.type !== "groupwork:height") return;
    var height = Number(event.data.height);
    if (!(height > 0 && height < 100000)) return;
    var frames = document.querySelectorAll("iframe");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) frames[i].style.height = height + "px";
    }
  });
})();
