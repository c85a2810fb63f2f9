// Kefu chat button for a web shop. Put on the shop's pages:
//   <script src="{{ embed_url|escapejs }}" data-kefu-token="SIGNED CUSTOMER TOKEN" async></script>
// The token is made by the shop's server (see Kefu's README, "Live chat").
(function () {
  "use strict";
  var script = document.currentScript;
  var token = script && script.getAttribute("data-kefu-token");
  if (!token) return;
  var url = "{{ widget_url|escapejs }}?token=" + encodeURIComponent(token);
  var button = document.createElement("button");
  button.type = "button";
  button.textContent = script.getAttribute("data-kefu-label") || "联系客服";
  button.setAttribute("style", "position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;border-radius:22px;" +
    "padding:11px 18px;background:#1f6feb;color:#fff;font-size:14px;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.2)");
  var frame = null;
  button.addEventListener("click", function () {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.src = url;
      frame.title = button.textContent;
      frame.setAttribute("style", "position:fixed;right:20px;bottom:72px;z-index:2147483000;width:380px;height:560px;" +
        "max-width:calc(100vw - 40px);max-height:calc(100vh - 100px);border:1px solid #d8dee4;border-radius:12px;" +
        "background:#fff;box-shadow:0 8px 30px rgba(0,0,0,.2)");
      document.body.appendChild(frame);
    } else {
      frame.hidden = !frame.hidden;
    }
  });
  document.body.appendChild(button);
})();
