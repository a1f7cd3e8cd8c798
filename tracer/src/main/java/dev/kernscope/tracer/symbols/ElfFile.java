package dev.kernscope.tracer.symbols;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * A minimal reader of 64-bit little-endian ELF files (x86-64, aarch64): load segments, sections, the GNU
 * build-id, {@code .gnu_debuglink} and the function symbols of {@code .symtab} and {@code .dynsym}. Nothing
 * outside the JDK and libc: no libelf, no external tools.
 *
 * <p>The files come from processes we do not trust (a profiled program can map any ELF file it likes), so the
 * file is opened as an {@link UntrustedFile}, every offset and length read from it is checked against the
 * file's size before use, and everything read is capped ({@link #SECTION_MAX} per section): a lying header
 * gives an {@link IOException} or a smaller result, never a huge allocation. Only the headers are read at
 * open; sections are read on demand while the file is open. Close it when done.
 *
 * <p>Not thread-safe: one owner reads and closes it (the parsed headers are immutable).
 */
public final class ElfFile implements AutoCloseable {
    static final int ET_EXEC = 2, ET_DYN = 3;
    public static final int SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_NOTE = 7, SHT_NOBITS = 8,
            SHT_DYNSYM = 11;
    private static final int PT_LOAD = 1, PT_NOTE = 4;
    private static final int STT_FUNC = 2, STT_GNU_IFUNC = 10;
    private static final int NT_GNU_BUILD_ID = 3;
    private static final int SYM_SIZE = 24, SHDR_SIZE = 64, PHDR_SIZE = 56;

    /** Largest file opened at all; only headers and the sections asked for are read. */
    public static final long FILE_MAX = 8L << 30;
    /** Largest section read into memory (symbol tables, their strings, unwind tables). */
    public static final int SECTION_MAX = 32 << 20;
    /** Headers: at most this many program headers and section headers. */
    private static final int PHNUM_MAX = 4096, SHNUM_MAX = 1 << 16;
    /** Notes are scanned in at most this much of each note segment or section. */
    private static final int NOTES_MAX = 64 * 1024;
    /** A build-id longer than this is not a build-id (GNU ld writes 20 bytes, some tools 16 or 32). */
    private static final int BUILD_ID_MAX = 64;
    private static final int SECTION_NAME_MAX = 256;

    /** A PT_LOAD segment: file range [offset, offset + fileSize) is mapped at vaddr. */
    public record Segment(long offset, long vaddr, long fileSize, long memSize, int flags) {}

    /** A section header; {@code offset + size} lies inside the file unless {@code type} is SHT_NOBITS. */
    public record Section(String name, int type, long flags, long addr, long offset, long size, int link,
                          long entsize) {}

    /** The {@code .gnu_debuglink} section: the separate debug file's name and the CRC-32 of its contents. */
    public record DebugLink(String name, int crc) {}

    private final Path path;
    private final UntrustedFile file;
    private final int type;
    private final List<Segment> loads;
    private final List<Section> sections;
    private final String buildId;

    private ElfFile(Path path, UntrustedFile file, int type, List<Segment> loads, List<Section> sections,
                    String buildId) {
        this.path = path;
        this.file = file;
        this.type = type;
        this.loads = loads;
        this.sections = sections;
        this.buildId = buildId;
    }

    /**
     * Opens and checks an ELF file; throws {@link IOException} for anything that is not ELF64 LE, not a regular
     * file, or whose headers lie outside the file.
     */
    public static ElfFile open(Path path) throws IOException {
        UntrustedFile f = UntrustedFile.open(path, FILE_MAX);
        try {
            return parse(path, f);
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
    }

    private static ElfFile parse(Path path, UntrustedFile f) throws IOException {
        long size = f.size();
        if (size < 64) throw new IOException(path + ": too short for ELF");
        ByteBuffer h = f.buffer(0, 64);
        if (h.getInt(0) != 0x464c457f) throw new IOException(path + ": not an ELF file");
        if (h.get(4) != 2 || h.get(5) != 1) throw new IOException(path + ": not a 64-bit little-endian ELF file");
        int type = Short.toUnsignedInt(h.getShort(16));
        long phoff = h.getLong(32);
        int phentsize = Short.toUnsignedInt(h.getShort(54));
        int phnum = Short.toUnsignedInt(h.getShort(56));
        List<Segment> loads = new ArrayList<>();
        List<long[]> noteRanges = new ArrayList<>();
        if (phnum > 0) {
            if (phentsize != PHDR_SIZE || phnum > PHNUM_MAX) throw new IOException(path + ": bad program header table");
            ByteBuffer ph = table(f, phoff, phentsize, phnum);
            for (int i = 0; i < phnum; i++) {
                int p = i * phentsize;
                int ptype = ph.getInt(p);
                long off = ph.getLong(p + 8), vaddr = ph.getLong(p + 16), filesz = ph.getLong(p + 32);
                if (ptype == PT_LOAD) loads.add(new Segment(off, vaddr, filesz, ph.getLong(p + 40), ph.getInt(p + 4)));
                if (ptype == PT_NOTE) noteRanges.add(new long[] {off, filesz});
            }
        }
        List<Section> sections = readSections(path, f, h);
        for (Section s : sections) if (s.type() == SHT_NOTE) noteRanges.add(new long[] {s.offset(), s.size()});
        String buildId = null;
        // Separate debug files keep the note section but may have no PT_NOTE segment, hence both lists.
        for (long[] r : noteRanges) {
            if (!inside(r[0], r[1], size)) continue; // a lying header: skip it, the rest may be fine
            buildId = findBuildId(f.buffer(r[0], Math.min(r[1], NOTES_MAX)));
            if (buildId != null) break;
        }
        return new ElfFile(path, f, type, List.copyOf(loads), List.copyOf(sections), buildId);
    }

    /** True when [off, off + len) lies inside a file of {@code size} bytes. */
    private static boolean inside(long off, long len, long size) {
        return off >= 0 && len >= 0 && off <= size && len <= size - off;
    }

    /** Reads a header table of {@code num} entries, checked against the file. */
    private static ByteBuffer table(UntrustedFile f, long off, int entsize, long num) throws IOException {
        long len = entsize * num;
        if (!inside(off, len, f.size())) throw new IOException(f.path() + ": header table outside the file (truncated?)");
        return f.buffer(off, len);
    }

    private static List<Section> readSections(Path path, UntrustedFile f, ByteBuffer h) throws IOException {
        long shoff = h.getLong(40);
        int shentsize = Short.toUnsignedInt(h.getShort(58));
        long shnum = Short.toUnsignedInt(h.getShort(60));
        int shstrndx = Short.toUnsignedInt(h.getShort(62));
        if (shoff == 0) return List.of();
        if (shentsize != SHDR_SIZE) throw new IOException(path + ": bad section header size");
        if (shnum == 0 || shstrndx == 0xffff) { // extended numbering: the real values sit in section 0
            ByteBuffer s0 = table(f, shoff, shentsize, 1);
            if (shnum == 0) shnum = s0.getLong(32);
            if (shstrndx == 0xffff) shstrndx = s0.getInt(40);
        }
        if (shnum < 0 || shnum > SHNUM_MAX) throw new IOException(path + ": " + shnum + " sections, not read");
        ByteBuffer sh = table(f, shoff, shentsize, shnum);
        byte[] names = null;
        if (shstrndx > 0 && shstrndx < shnum) {
            int p = shstrndx * shentsize;
            long off = sh.getLong(p + 24), len = sh.getLong(p + 32);
            if (inside(off, len, f.size()) && len <= SECTION_MAX) names = f.read(off, len);
        }
        List<Section> out = new ArrayList<>((int) shnum);
        for (int i = 0; i < shnum; i++) {
            int p = i * shentsize;
            int stype = sh.getInt(p + 4);
            long off = sh.getLong(p + 24), len = sh.getLong(p + 32);
            if (stype != SHT_NOBITS && !inside(off, len, f.size())) {
                // A section past the end: keep its place (links index sections) but make it empty.
                off = 0;
                len = 0;
            }
            String name = names == null ? "" : cString(names, Integer.toUnsignedLong(sh.getInt(p)), SECTION_NAME_MAX);
            out.add(new Section(name, stype, sh.getLong(p + 8), sh.getLong(p + 16), off, len, sh.getInt(p + 40),
                    sh.getLong(p + 56)));
        }
        return out;
    }

    /** The NUL-terminated string at {@code off}, at most {@code max} bytes; "" when off is outside. */
    static String cString(byte[] b, long off, int max) {
        if (off < 0 || off >= b.length) return "";
        int start = (int) off, limit = (int) Math.min(b.length, off + max), end = start;
        while (end < limit && b[end] != 0) end++;
        return new String(b, start, end - start, StandardCharsets.UTF_8);
    }

    private static String findBuildId(ByteBuffer b) {
        long p = 0, end = b.capacity();
        while (p + 12 <= end) {
            long namesz = Integer.toUnsignedLong(b.getInt((int) p)), descsz = Integer.toUnsignedLong(b.getInt((int) p + 4));
            int ntype = b.getInt((int) p + 8);
            long name = p + 12;
            long desc = name + ((namesz + 3) & ~3L);
            long next = desc + ((descsz + 3) & ~3L);
            if (next > end) return null; // a note claiming more than is there: stop, never allocate for it
            if (ntype == NT_GNU_BUILD_ID && namesz == 4 && b.get((int) name) == 'G' && b.get((int) name + 1) == 'N'
                    && b.get((int) name + 2) == 'U' && descsz > 0 && descsz <= BUILD_ID_MAX) {
                StringBuilder sb = new StringBuilder((int) descsz * 2);
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

    /** Section headers in file order (index = section number); empty when the file has none. */
    public List<Section> sections() {
        return sections;
    }

    /** The first section called {@code name}, or null. */
    public Section section(String name) {
        for (Section s : sections) if (s.name().equals(name)) return s;
        return null;
    }

    /**
     * The contents of section {@code name} as a little-endian buffer, or null when the file has no such section
     * or it occupies no file space (SHT_NOBITS, as in separate debug files' copies of code sections). Throws when
     * it is larger than {@link #SECTION_MAX} or the file was closed.
     */
    public ByteBuffer sectionBytes(String name) throws IOException {
        Section s = section(name);
        if (s == null || s.type() == SHT_NOBITS) return null;
        return bytes(s);
    }

    /** The contents of {@code s}, which must be one of {@link #sections()}; capped as {@link #sectionBytes}. */
    public ByteBuffer bytes(Section s) throws IOException {
        if (s.size() > SECTION_MAX) throw new IOException(path + ": section " + s.name() + " is " + s.size() + " bytes, not read");
        return file.buffer(s.offset(), s.size());
    }

    /** The file's identity: device, inode, size and modification time, as one string. */
    public String fileId() {
        return file.dev() + ":" + file.ino() + ":" + file.size() + ":" + file.mtimeNs();
    }

    /** The GNU build-id in lower-case hex, or null when the file has none. */
    public String buildId() {
        return buildId;
    }

    /** The {@code .gnu_debuglink} of this file, or null when it has none (or a malformed one). */
    public DebugLink debugLink() throws IOException {
        Section s = section(".gnu_debuglink");
        if (s == null || s.type() == SHT_NOBITS || s.size() < 8 || s.size() > 4096) return null;
        byte[] b = file.read(s.offset(), s.size());
        String name = cString(b, 0, b.length);
        long crcAt = ((name.getBytes(StandardCharsets.UTF_8).length + 1) + 3) & ~3L;
        if (name.isEmpty() || name.contains("/") || name.equals("..") || crcAt + 4 > b.length) return null;
        return new DebugLink(name, ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt((int) crcAt));
    }

    /** The CRC-32 (zlib's, as {@code .gnu_debuglink} uses) of the whole file, read in 1 MiB pieces. */
    public int crc32() throws IOException {
        CRC32 crc = new CRC32();
        for (long off = 0; off < file.size(); off += 1 << 20) {
            crc.update(file.read(off, Math.min(1 << 20, file.size() - off)));
        }
        return (int) crc.getValue();
    }

    /**
     * Translates a file offset (from a mapping's {@code pgoff} plus the distance into it) into the ELF
     * virtual address that symbol tables use; -1 when no load segment holds that offset.
     */
    public long offsetToVaddr(long fileOffset) {
        return offsetToVaddr(loads, fileOffset);
    }

    static long offsetToVaddr(List<Segment> loads, long fileOffset) {
        for (Segment s : loads) {
            if (fileOffset >= s.offset() && fileOffset - s.offset() < Math.max(s.fileSize(), 1)) {
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

    /**
     * Adds this file's function symbols to {@code out}; for merging a debug file's tables with the binary's. A
     * table that is too large or lies outside the file is skipped; the others are still read.
     */
    void addSymbols(ElfSymbols.Builder out) throws IOException {
        for (Section s : sections) {
            if (s.type() != SHT_SYMTAB && s.type() != SHT_DYNSYM) continue;
            if (s.entsize() != SYM_SIZE || s.link() <= 0 || s.link() >= sections.size()) continue;
            Section str = sections.get(s.link());
            if (str.type() != SHT_STRTAB || str.size() == 0 || str.size() > SECTION_MAX || s.size() > SECTION_MAX) continue;
            byte[] strings = file.read(str.offset(), str.size());
            // The table is read in pieces so that a large one never needs a second copy of itself in memory.
            long count = s.size() / SYM_SIZE;
            for (long first = 0; first < count; first += 4096) {
                int n = (int) Math.min(4096, count - first);
                ByteBuffer b = file.buffer(s.offset() + first * SYM_SIZE, (long) n * SYM_SIZE);
                for (int k = 0; k < n; k++) {
                    int e = k * SYM_SIZE;
                    int info = b.get(e + 4) & 0xff;
                    int stype = info & 0xf;
                    if (stype != STT_FUNC && stype != STT_GNU_IFUNC) continue;
                    if (b.getShort(e + 6) == 0) continue; // undefined: an import, not code of this file
                    long value = b.getLong(e + 8);
                    if (value == 0) continue;
                    long nameOff = Integer.toUnsignedLong(b.getInt(e));
                    if (nameOff == 0 || nameOff >= strings.length) continue;
                    out.add(value, b.getLong(e + 16), strings, (int) nameOff, info >> 4);
                }
            }
        }
    }

    @Override
    public void close() {
        file.close();
    }
}
