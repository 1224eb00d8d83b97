package dev.pipeline.rpc.cli;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** Bytes written to a PrintStream, decoded as UTF-8 into a command's PrintWriter at each flush and on close. */
final class WriterStream extends OutputStream {
    private final PrintWriter writer;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    WriterStream(PrintWriter writer) {
        this.writer = writer;
    }

    @Override
    public synchronized void write(int b) {
        buffer.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        buffer.write(b, off, len);
    }

    @Override
    public synchronized void flush() {
        writer.write(buffer.toString(StandardCharsets.UTF_8));
        writer.flush();
        buffer.reset();
    }

    @Override
    public void close() {
        flush();
    }
}
