package corpus

// The State Council's holiday notices for 2024, 2025 and 2026. 2025 and
// 2026 are the same as in the default dataset (content/jinzhong); 2024 is
// added so that the corpus's selection rounds (autumn 2024) can compute
// their publicity periods and every institution owes 24 monthly reports
// that have all ended by the time the corpus is checked.
const calendar2024 = `# 国务院办公厅关于2024年部分节假日安排的通知
year: 2024
source: 国办发明电〔2023〕7号（2023年10月25日）
holidays:
  - {name: 元旦, from: 2024-01-01, to: 2024-01-01}
  - {name: 春节, from: 2024-02-10, to: 2024-02-17}
  - {name: 清明节, from: 2024-04-04, to: 2024-04-06}
  - {name: 劳动节, from: 2024-05-01, to: 2024-05-05}
  - {name: 端午节, from: 2024-06-10, to: 2024-06-10}
  - {name: 中秋节, from: 2024-09-15, to: 2024-09-17}
  - {name: 国庆节, from: 2024-10-01, to: 2024-10-07}
workdays:
  - {date: 2024-02-04, for: 春节}
  - {date: 2024-02-18, for: 春节}
  - {date: 2024-04-07, for: 清明节}
  - {date: 2024-04-28, for: 劳动节}
  - {date: 2024-05-11, for: 劳动节}
  - {date: 2024-09-14, for: 中秋节}
  - {date: 2024-09-29, for: 国庆节}
  - {date: 2024-10-12, for: 国庆节}
`
