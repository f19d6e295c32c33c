// Texts of the on-screen keyboard, the idle (attract) screen, the sign to the scanner and the
// large-text switch, merged into window.KioskText.
(function () {
  "use strict";
  const more = {
    zh: {
      osk_label: "屏幕键盘",
      osk_enter: "确定",
      osk_space: "空格",
      osk_hide: "收起",
      osk_pinyin: "拼音",
      osk_pinyin_hint: "拼音输入：输入拼音，点选汉字",
      contrast_label: "大字体高对比",
      scanner_below: "扫描器在屏幕下方",
      scanner_left: "扫描器在屏幕左侧",
      scanner_right: "扫描器在屏幕右侧",
      sponsor_label: "赞助商",
      no_results: "没有找到您的登记。",
      no_results_offer: "请换个写法再试，或现在就登记，一分钟即可。",
    },
    en: {
      osk_label: "On-screen keyboard",
      osk_enter: "OK",
      osk_space: "space",
      osk_hide: "Hide",
      osk_pinyin: "拼音",
      osk_pinyin_hint: "Pinyin: type the pinyin, then tap the character",
      contrast_label: "Large text, high contrast",
      scanner_below: "The scanner is below the screen",
      scanner_left: "The scanner is left of the screen",
      scanner_right: "The scanner is right of the screen",
      sponsor_label: "Sponsored by",
      no_results: "We could not find your registration.",
      no_results_offer: "Try another spelling, or register now: it takes a minute.",
    },
  };
  for (const [lang, texts] of Object.entries(more)) {
    window.KioskText[lang] = Object.assign(window.KioskText[lang] || {}, texts);
  }
})();
