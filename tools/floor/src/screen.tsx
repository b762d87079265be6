import { printable, type FloorView, type LineState, type PanelView } from '@chippy/floor';
import { Box, Text } from 'ink';

/** Colours by what a line says, as the page colours them. */
const colours: Record<LineState, string | undefined> = {
  placed: undefined,
  waiting: 'gray',
  ready: 'green',
  cook: 'yellow',
  cooking: 'yellow',
  cooked: 'cyan',
  available: 'cyan',
  restock: 'magenta',
  batch: 'magenta',
};

/** `12/min · lag 3 · p0,1,2`: the header's figures. */
function panelFigures(panel: PanelView): string {
  const parts = [`${panel.rate}/min`];
  if (panel.lag !== undefined) parts.push(`lag ${panel.lag}`);
  if (panel.partitions !== undefined) parts.push(`p${panel.partitions.join(',') || '-'}`);
  return parts.join(' · ');
}

function Panel({ panel, width, rows }: { panel: PanelView; width: number; rows: number }) {
  // The newest lines that fit, newest at the bottom.
  const lines = panel.lines.slice(-rows);
  return (
    <Box flexDirection="column" width={width} height={rows + 4} borderStyle="single" overflow="hidden">
      <Text bold wrap="truncate">
        {printable(panel.title)}
      </Text>
      <Text dimColor wrap="truncate">
        {panelFigures(panel)}
      </Text>
      {lines.map((line) => (
        <Text key={line.id} color={colours[line.state]} wrap="truncate">
          {/* A line is at most a name, a count and the items: the terminal never gets raw control bytes. */}
          {line.text.replace(/\p{C}/gu, '\uFFFD')}
        </Text>
      ))}
    </Box>
  );
}

/**
 * The floor: the panels side by side, tills on the left, then preparers, then cooks, each as wide as
 * the terminal allows and as tall as it is, showing the newest lines that fit.
 */
export function FloorScreen({
  view,
  columns,
  rows,
  status,
}: {
  view: FloorView;
  columns: number;
  rows: number;
  status: string;
}) {
  // Panels narrower than MIN_WIDTH say nothing; those that do not fit are left out and counted, as a
  // row wider than the terminal would wrap and garble every panel. Tills go first: with many tills the
  // preparers and cooks are what there is to watch.
  const fit = Math.max(1, Math.floor(columns / MIN_WIDTH));
  const others = view.panels.filter((p) => p.kind !== 'till');
  const tills = view.panels.filter((p) => p.kind === 'till').slice(0, Math.max(0, fit - others.length));
  const panels = [...tills, ...others].slice(0, fit);
  const hidden = view.panels.length - panels.length;
  const width = panels.length > 0 ? Math.floor(columns / panels.length) : columns;
  // Two rows of header and two of border per panel, one for the status line, and one spare: Ink redraws
  // in place only while its output is shorter than the terminal (otherwise it clears the screen and flickers).
  const lineRows = Math.max(1, rows - 6);
  return (
    <Box flexDirection="column" width={columns}>
      <Box flexDirection="row">
        {panels.length === 0 ? (
          <Text>Waiting for the shop: no till, preparer or cook seen yet.</Text>
        ) : (
          panels.map((panel) => <Panel key={panel.id} panel={panel} width={width} rows={lineRows} />)
        )}
      </Box>
      <Text dimColor wrap="truncate">
        {hidden > 0 ? `${hidden} more panel${hidden === 1 ? '' : 's'}: widen the window · ` : ''}
        {status}
      </Text>
    </Box>
  );
}

const MIN_WIDTH = 16;
