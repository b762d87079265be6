import type { FloorView } from '@chippy/floor';
import { useApp, useInput, useStdout } from 'ink';
import { useEffect, useState } from 'react';
import { FloorScreen } from './screen.js';

/** The terminal's size, following its resizes. */
function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

/**
 * The live floor: redraws from `read` every `intervalMs` (not on every event: at hundreds of orders a
 * second the terminal would spend its time redrawing), and quits on `q`.
 */
export function FloorApp({
  read,
  intervalMs,
  status,
  onQuit,
}: {
  read: () => FloorView;
  intervalMs: number;
  status: string;
  onQuit: () => void;
}) {
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize();
  const [view, setView] = useState(read);
  useEffect(() => {
    const timer = setInterval(() => setView(read()), intervalMs);
    return () => clearInterval(timer);
  }, [read, intervalMs]);
  useInput((input, key) => {
    if (input === 'q' || (key.ctrl && input === 'c')) {
      exit();
      onQuit();
    }
  });
  return <FloorScreen view={view} columns={columns} rows={rows} status={status} />;
}
