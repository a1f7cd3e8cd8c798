package dev.kernscope.app.cli;

import java.io.IOException;
import java.io.Writer;

/** Writes RFC 4180 CSV: CRLF line ends, fields quoted when they hold a comma, quote, CR or LF. Not thread-safe. */
public final class Csv implements AutoCloseable {
    private final Writer out;
    private boolean first = true;

    public Csv(Writer out) {
        this.out = out;
    }

    public Csv row(Object... fields) throws IOException {
        for (Object f : fields) field(f);
        return end();
    }

    public Csv field(Object value) throws IOException {
        if (!first) out.write(',');
        first = false;
        if (value == null) return this;
        String s = value.toString();
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            out.write('"');
            out.write(s.replace("\"", "\"\""));
            out.write('"');
        } else {
            out.write(s);
        }
        return this;
    }

    public Csv end() throws IOException {
        out.write("\r\n");
        first = true;
        return this;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
