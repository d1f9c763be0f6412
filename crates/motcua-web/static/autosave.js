// motcua: saves a filing form as it is typed. The page works without this script; with it, a
// dropped connection or a closed tab loses at most the last two seconds. A copy of the typed
// text is kept in this tab only (sessionStorage, gone when the tab closes: support points share
// computers) until the server confirms it, and is put back if the server never got it.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.sessionStorage) return;
  var status = document.getElementById("autosave-status");
  var key = "motcua-draft:" + form.getAttribute("data-draft-key");
  var timer = null;
  var saving = false;
  var again = false;

  function say(text) { if (status) status.textContent = text; }

  function typed() {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name.indexOf("f_") !== 0) return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      out[el.name] = el.value;
    });
    return out;
  }

  function keep(values, synced) {
    try {
      sessionStorage.setItem(key, JSON.stringify({
        version: form.getAttribute("data-version"), synced: synced, values: values
      }));
    } catch (e) { /* storage full or disabled: the server copy still counts */ }
  }

  function restore() {
    var kept;
    try { kept = JSON.parse(sessionStorage.getItem(key) || "null"); } catch (e) { kept = null; }
    if (!kept || kept.synced || kept.version !== form.getAttribute("data-version")) return;
    var changed = 0;
    Object.keys(kept.values).forEach(function (name) {
      var els = form.querySelectorAll("[name='" + name.replace(/[^a-z0-9_]/g, "") + "']");
      Array.prototype.forEach.call(els, function (el) {
        if (el.type === "radio") {
          var on = el.value === kept.values[name];
          if (el.checked !== on) { el.checked = on; changed++; }
        } else if (el.value !== kept.values[name]) { el.value = kept.values[name]; changed++; }
      });
    });
    if (changed) { say("Đã khôi phục nội dung bạn nhập nhưng chưa kịp lưu. Hãy kiểm tra lại."); schedule(); }
  }

  function save() {
    timer = null;
    if (saving) { again = true; return; }
    var body = new URLSearchParams();
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.type === "submit") return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      body.append(el.name, el.value);
    });
    if (!form.getAttribute("data-dossier") && !body.get("agency_id")) {
      say("Chọn nơi nộp hồ sơ để bản nháp được lưu tự động.");
      return;
    }
    var values = typed();
    saving = true;
    say("Đang lưu…");
    fetch(form.getAttribute("data-autosave"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (res) {
      if (!res.ok) throw new Error(String(res.status));
      return res.json();
    }).then(function (saved) {
      if (!form.getAttribute("data-dossier")) {
        form.setAttribute("data-dossier", saved.dossier_id);
        form.setAttribute("data-autosave", saved.autosave_url);
        // Keep the form's one-time token (?once=…): sending it twice still files once.
        var query = (form.getAttribute("action") || "").split("?")[1];
        form.setAttribute("action", saved.edit_url + (query ? "?" + query : ""));
        var hidden = document.createElement("input");
        hidden.type = "hidden"; hidden.name = "dossier_id"; hidden.value = saved.dossier_id;
        form.appendChild(hidden);
        try { sessionStorage.removeItem(key); } catch (e) { /* ignore */ }
        key = "motcua-draft:" + saved.dossier_id;
      }
      form.setAttribute("data-version", String(saved.version));
      keep(values, true);
      say("Đã tự động lưu nháp lúc " + saved.saved_at + ".");
    }).catch(function () {
      say("Chưa lưu được (mất kết nối?). Nội dung vẫn được giữ trên máy này; sẽ thử lại.");
      if (!timer) timer = setTimeout(save, 10000);
    }).then(function () {
      saving = false;
      if (again) { again = false; schedule(); }
    });
  }

  function schedule() {
    keep(typed(), false);
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 2000);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  restore();
})();
