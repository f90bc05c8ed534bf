import { expect, it } from 'vitest';
import { strayStreams } from './route-keeper.ts';

const sinks = [
  { index: 1, name: 'desk-speakers' },
  { index: 2, name: 'hilt-observed-7' },
  { index: 3, name: 'hilt-engine-9' },
  { index: 4, name: 'alsa_output.aloop' },
];
const input = (index: number, sink: number, app: string) => ({ index, sink, properties: { 'application.name': app } });

it("finds hilt's streams on the user's devices, and only those", () => {
  const inputs = [
    input(10, 1, 'hilt-victim'), // the tap went away: the policy put it on the default
    input(11, 2, 'hilt-health-probe'),
    input(12, 3, 'hilt-victim-2'), // tapped: in the engine's sink
    input(13, 1, 'Firefox'), // the user's own: never touched
    input(14, 4, 'hilt-victim-3'), // on the rig file's output
  ];
  expect(strayStreams(inputs, sinks, 'hilt-observed-7')).toEqual([
    { index: 10, app: 'hilt-victim', sink: 'desk-speakers' },
    { index: 14, app: 'hilt-victim-3', sink: 'alsa_output.aloop' },
  ]);
  expect(strayStreams(inputs, sinks, 'alsa_output.aloop')).toEqual([{ index: 10, app: 'hilt-victim', sink: 'desk-speakers' }]);
});
