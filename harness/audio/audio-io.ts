// The programs that carry a rig's audio in and out of hilt, in one sample format (s16le mono
// 48 kHz): a recorder writing what a device hears to its stdout, a player playing its stdin into
// a device. parecord and pacat on PipeWire (through pipewire-pulse), hilt-wasapi.exe on Windows.
export interface AudioCommand {
  file: string;
  args: string[];
  endsWithHilt?: boolean; // ends by itself when hilt's pipes close (ChildOptions.endsWithHilt)
}

export interface AudioIo {
  recorderName: string; // for messages: "parecord"
  upCheck?: string; // how to see the audio server is up, for a recorder that died (else: pnpm rig check)
  recorder(device: string, rate: number): AudioCommand;
  player(device: string, appName: string, rate: number): AudioCommand;
  // How each is asked to end: a signal, or (a player) the end of its stdin, where it plays out what it has.
  recorderStop: NodeJS.Signals;
  playerStop: NodeJS.Signals | 'eof';
}

// --latency-msec: small fragments (and without it parecord loses its tail on stop); the player's
// buffer sets the pace its feeder writes at.
export const pulseIo: AudioIo = {
  recorderName: 'parecord',
  upCheck: 'pactl info with the rig environment',
  recorder: (device, rate) => ({
    file: 'parecord',
    args: [
      '--raw',
      '--format=s16le',
      `--rate=${rate}`,
      '--channels=1',
      '--latency-msec=20',
      `--device=${device}`,
      '--client-name=hilt-recorder',
      '--property=application.name=hilt-recorder',
    ],
  }),
  player: (device, appName, rate) => ({
    file: 'pacat',
    args: [
      '--playback',
      '--raw',
      '--format=s16le',
      `--rate=${rate}`,
      '--channels=1',
      '--latency-msec=20',
      `--device=${device}`,
      `--client-name=${appName}`,
      `--property=application.name=${appName}`,
    ],
  }),
  recorderStop: 'SIGINT',
  playerStop: 'SIGTERM',
};
