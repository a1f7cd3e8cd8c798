package dev.kernscope.tracer.symbols;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal reader of 64-bit little-endian ELF files (x86-64, aarch64): load segments, the GNU build-id and
 * the function symbols of {@code .symtab} and {@code .dynsym}. The file is memory-mapped, so opening one
 * costs only the headers that are read. Nothing outside the JDK: no libelf, no external tools.
 *
 * <p>Immutable after {@link #open}; thread-safe.
 */
public final class ElfFile {
    static final int ET_EXEC = 2, ET_DYN = 3;
    private static final int PT_LOAD = 1, PT_NOTE = 4;
    private static final int SHT_SYMTAB = 2, SHT_NOTE = 7, SHT_DYNSYM = 11, SHT_NOBITS = 8;
    private static final int STT_FUNC = 2, STT_GNU_IFUNC = 10;
    private static final int NT_GNU_BUILD_ID = 3;

    /** A PT_LOAD segment: file range [offset, offset + fileSize) is mapped at vaddr. */
    public record Segment(long offset, long vaddr, long fileSize, long memSize, int flags) {}

    private final Path path;
    private final ByteBuffer buf;
    private final int type;
    private final List<Segment> loads;
    private final String buildId;

    private ElfFile(Path path, ByteBuffer buf, int type, List<Segment> loads, String buildId) {
        this.path = path;
        this.buf = buf;
        this.type = type;
        this.loads = loads;
        this.buildId = buildId;
    }

    /** Opens and checks an ELF file; throws {@link IOException} for anything that is not ELF64 LE. */
    public static ElfFile open(Path path) throws IOException {
        MappedByteBuffer map;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 64) throw new IOException(path + ": too short for ELF");
            if (size > Integer.MAX_VALUE) throw new IOException(path + ": larger than 2 GiB, not read");
            map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
        }
        ByteBuffer b = map.order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != 0x464c457f) throw new IOException(path + ": not an ELF file");
        if (b.get(4) != 2 || b.get(5) != 1) throw new IOException(path + ": not a 64-bit little-endian ELF file");
        int type = Short.toUnsignedInt(b.getShort(16));
        long phoff = b.getLong(32);
        int phentsize = Short.toUnsignedInt(b.getShort(54));
        int phnum = Short.toUnsignedInt(b.getShort(56));
        List<Segment> loads = new ArrayList<>();
        String buildId = null;
        for (int i = 0; i < phnum; i++) {
            int p = checked(b, phoff + (long) i * phentsize, 56, path);
            int ptype = b.getInt(p);
            long off = b.getLong(p + 8), vaddr = b.getLong(p + 16), filesz = b.getLong(p + 32), memsz = b.getLong(p + 40);
            if (ptype == PT_LOAD) loads.add(new Segment(off, vaddr, filesz, memsz, b.getInt(p + 4)));
            if (ptype == PT_NOTE && buildId == null && off + filesz <= b.capacity()) {
                buildId = findBuildId(b, off, filesz);
            }
        }
        ElfFile f = new ElfFile(path, b, type, List.copyOf(loads), buildId);
        if (buildId == null) {
            // Separate debug files keep the note section but may have no PT_NOTE segment.
            for (long[] s : f.sections()) {
                if (s[0] == SHT_NOTE && s[2] + s[3] <= b.capacity()) {
                    String id = findBuildId(b, s[2], s[3]);
                    if (id != null) return new ElfFile(path, b, type, f.loads, id);
                }
            }
        }
        return f;
    }

    private static int checked(ByteBuffer b, long off, int len, Path path) throws IOException {
        if (off < 0 || off + len > b.capacity()) throw new IOException(path + ": header out of bounds (truncated?)");
        return (int) off;
    }

    private static String findBuildId(ByteBuffer b, long off, long size) {
        long p = off, end = off + size;
        while (p + 12 <= end) {
            int namesz = b.getInt((int) p), descsz = b.getInt((int) p + 4), ntype = b.getInt((int) p + 8);
            long name = p + 12;
            long desc = name + ((namesz + 3L) & ~3L);
            long next = desc + ((descsz + 3L) & ~3L);
            if (namesz < 0 || descsz < 0 || next > end) return null;
            if (ntype == NT_GNU_BUILD_ID && namesz == 4 && b.get((int) name) == 'G' && b.get((int) name + 1) == 'N'
                    && b.get((int) name + 2) == 'U') {
                StringBuilder sb = new StringBuilder(descsz * 2);
                for (int i = 0; i < descsz; i++) {
                    int v = b.get((int) desc + i) & 0xff;
                    sb.append(Character.forDigit(v >> 4, 16)).append(Character.forDigit(v & 15, 16));
                }
                return sb.toString();
            }
            p = next;
        }
        return null;
    }

    /** Section headers as {type, link, offset, size, entsize}. */
    private List<long[]> sections() throws IOException {
        ByteBuffer b = buf;
        long shoff = b.getLong(40);
        int shentsize = Short.toUnsignedInt(b.getShort(58));
        long shnum = Short.toUnsignedInt(b.getShort(60));
        List<long[]> out = new ArrayList<>();
        if (shoff == 0) return out;
        if (shnum == 0) shnum = b.getLong(checked(b, shoff, 64, path) + 32); // more than 0xff00 sections
        for (long i = 0; i < shnum; i++) {
            int s = checked(b, shoff + i * shentsize, 64, path);
            out.add(new long[] {Integer.toUnsignedLong(b.getInt(s + 4)), Integer.toUnsignedLong(b.getInt(s + 40)),
                    b.getLong(s + 24), b.getLong(s + 32), b.getLong(s + 56)});
        }
        return out;
    }

    public Path path() {
        return path;
    }

    /** ET_EXEC (2) for fixed-address executables, ET_DYN (3) for PIE executables and shared libraries. */
    public int type() {
        return type;
    }

    public List<Segment> loadSegments() {
        return loads;
    }

    /** The GNU build-id in lower-case hex, or null when the file has none. */
    public String buildId() {
        return buildId;
    }

    /**
     * Translates a file offset (from a mapping's {@code pgoff} plus the distance into it) into the ELF
     * virtual address that symbol tables use; -1 when no load segment holds that offset.
     */
    public long offsetToVaddr(long fileOffset) {
        for (Segment s : loads) {
            if (fileOffset >= s.offset() && fileOffset < s.offset() + Math.max(s.fileSize(), 1)) {
                return fileOffset - s.offset() + s.vaddr();
            }
        }
        return -1;
    }

    /** Reads the defined function symbols (STT_FUNC, STT_GNU_IFUNC) of {@code .symtab} and {@code .dynsym}. */
    public ElfSymbols symbols() throws IOException {
        ElfSymbols.Builder out = new ElfSymbols.Builder();
        addSymbols(out);
        return out.build();
    }

    /** Adds this file's function symbols to {@code out}; for merging a debug file's tables with the binary's. */
    void addSymbols(ElfSymbols.Builder out) throws IOException {
        List<long[]> secs = sections();
        for (long[] s : secs) {
            if (s[0] != SHT_SYMTAB && s[0] != SHT_DYNSYM) continue;
            if (s[1] >= secs.size()) continue;
            long[] str = secs.get((int) s[1]);
            if (str[0] == SHT_NOBITS || s[2] + s[3] > buf.capacity() || str[2] + str[3] > buf.capacity()) continue;
            long ent = s[4] == 0 ? 24 : s[4];
            for (long p = s[2]; p + 24 <= s[2] + s[3]; p += ent) {
                int e = (int) p;
                int info = buf.get(e + 4) & 0xff;
                int stype = info & 0xf;
                if (stype != STT_FUNC && stype != STT_GNU_IFUNC) continue;
                if (buf.getShort(e + 6) == 0) continue; // undefined: an import, not code of this file
                long value = buf.getLong(e + 8);
                if (value == 0) continue;
                long nameOff = Integer.toUnsignedLong(buf.getInt(e));
                if (nameOff >= str[3]) continue;
                out.add(value, buf.getLong(e + 16), cString((int) (str[2] + nameOff), (int) (str[2] + str[3])),
                        info >> 4);
            }
        }
    }

    private String cString(int start, int limit) {
        int end = start;
        while (end < limit && buf.get(end) != 0) end++;
        byte[] bytes = new byte[end - start];
        buf.get(start, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
