// A minidump composed byte by byte to the documented layout (MINIDUMP_HEADER, a stream directory,
// MINIDUMP_EXCEPTION_STREAM, MINIDUMP_MODULE_LIST): for the tests of what hilt reads from a dump.
export function composedDump(opts: { code: number; address: bigint; params?: bigint[] }): Buffer {
  const b = Buffer.alloc(1024);
  b.write('MDMP', 0, 'latin1');
  b.writeUInt32LE(2, 8); // two streams
  b.writeUInt32LE(32, 12); // directory right after the header
  (b.writeUInt32LE(6, 32), b.writeUInt32LE(168, 36), b.writeUInt32LE(64, 40)); // exception stream at 64
  (b.writeUInt32LE(4, 44), b.writeUInt32LE(4 + 108, 48), b.writeUInt32LE(400, 52)); // module list at 400
  b.writeUInt32LE(196, 64); // thread id
  b.writeUInt32LE(opts.code, 72);
  b.writeBigUInt64LE(opts.address, 88);
  const params = opts.params ?? [];
  b.writeUInt32LE(params.length, 96);
  params.forEach((p, i) => b.writeBigUInt64LE(p, 104 + i * 8));
  b.writeUInt32LE(1, 400); // one module
  b.writeBigUInt64LE(0x140000000n, 404);
  b.writeUInt32LE(0x20000, 412);
  b.writeUInt32LE(600, 424); // its name at 600
  const name = 'Z:\\work\\native\\build-win\\hilt-engine-win.exe';
  b.writeUInt32LE(name.length * 2, 600);
  b.write(name, 604, 'utf16le');
  return b;
}
