// Live reload for kjjr serve (development only; never in a built site).
(function () {
  var es = new EventSource("/_kjjr/events");
  es.addEventListener("reload", function () { location.reload(); });
})();
