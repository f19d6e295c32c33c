// Exhibitor page texts; keys are used as data-t="key" (text) and data-tp="key" (placeholder).
// One row a message: [Chinese, English].
window.ExhibitorText = (() => {
  const messages = {
    app_title: ["展商扫码", "Exhibitor leads"],
    pair_title: ["配对此设备", "Pair this device"],
    pair_help: ["请打开工作人员提供的配对链接或二维码，或在此输入设备令牌。", "Open the pairing link or QR code the show staff gave you, or type the device token here."],
    pair_button: ["配对", "Pair"],
    pair_failed: ["令牌无效或不是展商设备。", "Unknown token, or not an exhibitor device."],
    tab_scan: ["扫码", "Scan"],
    tab_list: ["我的线索", "My leads"],
    scan_hint: ["用扫码枪扫描胸卡，或打开摄像头", "Scan a badge with the scanner, or open the camera"],
    camera_on: ["打开摄像头", "Open camera"],
    camera_off: ["关闭摄像头", "Close camera"],
    camera_failed: ["无法打开摄像头（需要 HTTPS 和授权）", "Cannot open the camera (needs HTTPS and permission)"],
    manual_placeholder: ["手动输入胸卡码", "Type a badge code"],
    manual_add: ["添加", "Add"],
    pending: ["{n} 条待同步", "{n} not yet synced"],
    synced: ["已全部同步", "All synced"],
    waiting: ["已扫描，等待同步", "Scanned, waiting to sync"],
    saved_offline: ["已离线保存，联网后自动同步", "Saved offline; it syncs by itself"],
    invalid: ["无效胸卡", "Not a valid badge"],
    new_lead: ["新线索", "New lead"],
    again: ["再次扫描（第 {n} 次）", "Scanned again ({n} scans)"],
    no_contact: ["访客未同意分享联系方式", "The visitor did not share contact details"],
    ask_consent: ["请访客同意分享联系方式", "Ask the visitor to share contact details"],
    consent_title: ["分享联系方式", "Share contact details"],
    agree: ["我同意", "I agree"],
    cancel: ["取消", "Cancel"],
    rating: ["评级", "Rating"],
    hot: ["热", "Hot"],
    warm: ["温", "Warm"],
    cold: ["冷", "Cold"],
    notes: ["备注", "Notes"],
    follow_up: ["跟进", "Follow up"],
    save: ["保存", "Save"],
    close: ["关闭", "Close"],
    saved: ["已保存", "Saved"],
    call: ["电话", "Call"],
    email: ["邮件", "Email"],
    meeting: ["约见", "Meeting"],
    quote: ["报价", "Quote"],
    samples: ["样品", "Samples"],
    search_placeholder: ["搜索公司、姓名、备注", "Search company, name, notes"],
    all_ratings: ["全部评级", "All ratings"],
    any_answer: ["按问题筛选", "Filter by question"],
    answer_placeholder: ["答案", "Answer"],
    count: ["{n} 条线索", "{n} leads"],
    scans: ["{n} 次扫描", "{n} scans"],
    visitor: ["访客", "Visitor"],
  };
  const text = { zh: {}, en: {} };
  for (const [key, [zh, en]] of Object.entries(messages)) {
    text.zh[key] = zh;
    text.en[key] = en;
  }
  return text;
})();
