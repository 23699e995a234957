// pattern: Functional Core
// English strings of the app shell, panels, editor, sharing, gallery and presenter mode.
export const enCore = {
  'app.title': 'PacketWalk',
  'lang.label': 'Language',
  'lang.en': 'English',
  'lang.zh': '简体中文',
} as const;
