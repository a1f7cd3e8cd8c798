/**
 * Symbolization and stack interning: raw instruction pointers from the BPF stack maps become {@code frame}
 * and {@code stack} rows.
 *
 * <h2>Use from the recorder</h2>
 * <pre>{@code
 * Symbolizer sym = new Symbolizer();                      // /proc, /tmp, /usr/lib/debug
 * StackInterner interner = new StackInterner(writer, sym);
 * interner.processSeen(upid, pid, ts);                    // when the upid is created (captures maps)
 * interner.processExec(upid, pid, ts);                    // on sched_process_exec
 * long stackId = interner.intern(upid, pid, kIps, nk, uIps, nu); // per sample, innermost first
 * writer.stackSample(ts, utid, cpu, stackId, kind, weight, wakerUtid, wakerStackId);
 * interner.finish(endTs);                                 // before writer.finish(...)
 * }</pre>
 *
 * <h2>Why this design</h2>
 * <ul>
 * <li><b>Symbolize at record time, keep the evidence.</b> Frames are stored with names so a trace opens
 *     anywhere without the binaries, kallsyms or debug files of the traced machine. Beside them the trace
 *     keeps what re-symbolization would need: every executable mapping with the file's GNU build-id
 *     ({@code mapping} rows, upid 0 with {@code [kernel.kallsyms]} spanning {@code _stext.._etext} and the
 *     kernel's build-id from {@code /sys/kernel/notes}) and each frame's {@code rel_pc}: the ELF virtual
 *     address for user code (what {@code nm}/{@code addr2line -e} take), the offset from {@code _stext} for
 *     the kernel (stable across KASLR boots of one build), the absolute address for JIT code.</li>
 * <li><b>A frame is a function, not an address.</b> Flame graphs aggregate by function; keying frames by
 *     (name, module, kind) keeps the {@code frame} and {@code stack} tables small. Line numbers would need
 *     DWARF and are out of scope. Unresolved addresses are never dropped: they become
 *     {@code module+0xoffset} frames ({@code [unknown]+0xADDR} outside any mapping, {@code [anon]+0xADDR}
 *     in anonymous memory) and are counted in {@code symbols.frames_total} but not
 *     {@code symbols.frames_resolved}.</li>
 * <li><b>Return addresses.</b> Every entry but the innermost of a stack is a return address; it is looked up
 *     at {@code ip - 1} so that a call that is the last instruction of a function is charged to the caller
 *     (perf does the same).</li>
 * <li><b>Our own ELF reader.</b> Only load segments, the build-id note and {@code .symtab}/{@code .dynsym}
 *     are needed; reading them from a memory-mapped file takes a few hundred lines and no native library.
 *     A mapping's address becomes a file offset ({@code ip - start + pgoff}), then an ELF address through
 *     the PT_LOAD segment holding that offset: this one rule covers PIE executables, shared libraries and
 *     fixed-address executables alike. Symbol tables are cached per file (device, inode, size, mtime; never
 *     by the build-id alone, which is whatever the file claims), and Debian's {@code /usr/lib/debug/.build-id/xx/rest.debug} adds the static functions of stripped
 *     packages when installed. Files are opened through {@code /proc/PID/root} (containers) or
 *     {@code /proc/PID/map_files} while the process lives; after it exits, only a file with the recorded
 *     build-id is trusted.</li>
 * <li><b>Reading as root is careful.</b> Profiled processes belong to other users, who choose what they map
 *     and what lies at {@code /tmp/perf-PID.map}. Every file is an {@link dev.kernscope.tracer.symbols.UntrustedFile}
 *     (no symlink followed, no FIFO or device opened, size capped, {@code /proc/PID/root} paths resolved inside
 *     that root); the ELF reader checks every offset and length against the file and caps what it reads; a perf
 *     map must belong to the process's own user; any Throwable while symbolizing one process, out of memory
 *     included, costs that process its names and is counted in {@code symbols.unreadable_files}.</li>
 * <li><b>JIT code.</b> {@code /tmp/perf-PID.map} (the process's own {@code /tmp} first) names JIT code.
 *     At {@link dev.kernscope.tracer.symbols.StackInterner#finish} JVMs still running are asked to write theirs
 *     ({@link dev.kernscope.tracer.symbols.JvmPerfMaps}: {@code jcmd PID Compiler.perfmap} as the JVM's user),
 *     then frames that fell in anonymous memory are retried and their frame rows rewritten.</li>
 * <li><b>Names as people read them.</b> C++ names are demangled by libstdc++'s own {@code __cxa_demangle}
 *     (through JNA, on a thread with a large stack and a time limit, names over 4 KiB left alone: the C
 *     demangler recurses and sizes stack arrays by the input), Rust legacy names the same way plus Rust's own
 *     escapes and hash suffix, Rust v0 names by our {@link dev.kernscope.tracer.symbols.RustV0} decoder. The
 *     frame's name is the readable one; the linker's name goes into {@code frame_mangled}, so search can match
 *     either and a trace can be re-symbolized from it. Tested on a corpus checked against c++filt.</li>
 * <li><b>The hot path allocates nothing.</b> After an address has been symbolized once, interning a sample
 *     is two open-addressing lookups per frame on packed longs ((process, generation) and ip; parent stack
 *     and frame): no strings, no boxing.</li>
 * </ul>
 */
package dev.kernscope.tracer.symbols;
