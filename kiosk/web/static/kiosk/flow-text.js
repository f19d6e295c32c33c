// Texts of the kiosk's modes (entry, exit, both ways), day names, "still there?" and honest
// printing, merged into window.KioskText.
(function () {
  "use strict";
  const more = {
    zh: {
      mode_in: "入场",
      mode_out: "离场",
      mode_both: "入场 / 离场",
      idle_title_out: "离场请扫描胸卡",
      idle_help_out: "将胸卡上的二维码对准扫描器，即可登记离场",
      idle_title_both: "入场或离场，请扫描二维码",
      idle_help_both: "已在场内的观众扫描即离场，其他观众扫描即入场",
      bye_detail: "{time} 已从 {gate} 离场。感谢您的光临，祝您一路平安！",
      already_detail_day: "已于 {day} {time} 在 {gate} 签到",
      already_both_hint: "如要离场，请一分钟后再扫描一次。",
      already_out: "您已离场",
      already_out_detail: "您已于 {time} 从 {gate} 离场。",
      already_out_detail_day: "您已于 {day} {time} 从 {gate} 离场。",
      already_out_both_hint: "如需再次入场，请一分钟后再扫描一次。",
      day_closed_detail: "展会当天闭馆时已为您自动登记离场。",
      not_checked_in_detail: "此胸卡没有入场记录，请咨询工作人员。",
      still_there: "您还在吗？",
      still_there_detail: "为保护您的信息，{seconds} 秒后将清空此页并返回首页。",
      still_there_yes: "我还在，继续",
      print_ok: "请在打印机处取走您的胸卡",
      print_failed: "胸卡暂时无法打印，请到服务台领取，工作人员已收到通知。您已签到成功。",
    },
    en: {
      mode_in: "Entry",
      mode_out: "Exit",
      mode_both: "Entry / exit",
      idle_title_out: "Leaving? Please scan your badge",
      idle_help_out: "Hold the QR code on your badge to the scanner to check out",
      idle_title_both: "Coming in or leaving? Scan your badge",
      idle_help_both: "If you are inside, a scan checks you out; otherwise it checks you in",
      bye_detail: "Checked out at {time} · {gate}. Thank you for visiting, have a safe trip home!",
      already_detail_day: "Checked in on {day} at {time} at {gate}",
      already_both_hint: "Leaving? Scan again in a minute.",
      already_out: "You have already left",
      already_out_detail: "You left at {time} through {gate}.",
      already_out_detail_day: "You left on {day} at {time} through {gate}.",
      already_out_both_hint: "Coming back in? Scan again in a minute.",
      day_closed_detail: "The show day closed and checked you out automatically.",
      not_checked_in_detail: "This badge has no entry on record. Please ask staff.",
      still_there: "Still there?",
      still_there_detail: "To protect your details, this page clears in {seconds} s and returns to the start.",
      still_there_yes: "Yes, I'm still here",
      print_ok: "Please take your badge from the printer",
      print_failed: "Your badge cannot be printed right now: please collect it at the desk, staff have been told. You are checked in.",
    },
  };
  for (const [lang, texts] of Object.entries(more)) {
    window.KioskText[lang] = Object.assign(window.KioskText[lang] || {}, texts);
  }
})();
