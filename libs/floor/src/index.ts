export { Floor, type FloorOptions, type FloorView } from './floor.js';
export { GroupPanels, naturalCompare, type GroupMember } from './group-panels.js';
export { readGroups, type GroupsAdmin, type GroupsSnapshot } from './groups.js';
export {
  availableLine,
  batchLine,
  cookedLine,
  cookingLine,
  cookLine,
  describeItems,
  orderLabel,
  placedLine,
  printable,
  readyLine,
  restockLine,
  waitingLine,
} from './lines.js';
export { Panel, RateWindow, type Line, type LineState, type PanelKind, type PanelView } from './panel.js';
export { startFloorReader, type FloorReader, type FloorReaderOptions } from './reader.js';
export { fullFrame, startFloorTicker, type FloorFrame } from './ticker.js';
