// Texts of the walk-up form, badge printing and camera scans, merged into window.KioskText.
// The fields' own labels come with the form (GET /api/v1/registration-form).
(function () {
  "use strict";
  const more = {
    zh: {
      reg_title: "现场登记",
      reg_hint: "带 * 的为必填项。登记后立即打印胸卡并签到。",
      reg_category: "您的身份",
      reg_submit: "登记并打印胸卡",
      reg_consents: "同意事项",
      ph_full_name: "例如：张伟",
      ph_email: "name@example.com",
      ph_phone: "例如：138 0013 8000",
      err_required: "请填写此项",
      err_email: "邮箱格式不正确",
      err_phone: "手机号无效，请检查号码",
      err_too_long: "内容太长",
      err_category: "请选择身份",
      err_consent: "登记需要您的同意",
      err_invalid: "请检查此项",
      err_summary: "请更正标红的项目",
      reg_known_title: "您已经登记过了",
      reg_known_help: "我们找到了您的登记，无需重复填写。",
      reg_known_print: "是我，打印胸卡并签到",
      reg_known_not_me: "不是我",
      print_busy: "正在打印您的胸卡…",
      print_ok: "请在打印机处取走您的胸卡",
      print_browser: "正在打印您的胸卡",
      print_failed: "胸卡暂时无法打印，请到服务台领取。您已签到成功。",
    },
    en: {
      reg_title: "Register now",
      reg_hint: "Fields marked * are required. Your badge prints and you are checked in right away.",
      reg_category: "I am a",
      reg_submit: "Register and print my badge",
      reg_consents: "Your consent",
      ph_full_name: "e.g. Anna Müller",
      ph_email: "name@example.com",
      ph_phone: "e.g. +49 151 2345 6789",
      err_required: "Please fill this in",
      err_email: "This is not a valid email address",
      err_phone: "This is not a valid phone number",
      err_too_long: "This is too long",
      err_category: "Please choose one",
      err_consent: "We need your consent to register you",
      err_invalid: "Please check this",
      err_summary: "Please correct the fields marked in red",
      reg_known_title: "You are registered already",
      reg_known_help: "We found your registration; no need to fill in the form again.",
      reg_known_print: "That's me: print my badge and check in",
      reg_known_not_me: "Not me",
      print_busy: "Printing your badge…",
      print_ok: "Please take your badge from the printer",
      print_browser: "Printing your badge",
      print_failed: "Your badge cannot be printed right now: please collect it at the desk. You are checked in.",
    },
  };
  for (const [lang, texts] of Object.entries(more)) {
    window.KioskText[lang] = Object.assign(window.KioskText[lang] || {}, texts);
  }
})();
