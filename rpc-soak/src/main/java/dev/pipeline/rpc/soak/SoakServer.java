package dev.pipeline.rpc.soak;

import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcServer;
import dev.pipeline.rpc.ServerConfig;
import dev.pipeline.rpc.redis.RedisDedupStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One server process of the soak: {@code java -cp ... dev.pipeline.rpc.soak.SoakServer URI SERVICE NAME DIR}.
 * Exposes {@code SERVICE.work(long key)} with the library's defaults; each execution appends the key and the time
 * ({@code KEY EPOCH_MILLIS}) to {@code DIR/NAME.log} with one unbuffered write before the reply is returned, so a reply the client received is
 * always in the log, even after a {@code kill -9}. The log must not exist yet: one log holds one process's run. Writes {@code DIR/NAME.ready} once started; a SIGTERM closes
 * the server gracefully.
 */
public final class SoakServer {
    private SoakServer() {
    }

    /** The exposed service: returns {@code "NAME KEY"}, so the client knows which process replied. */
    public static final class Work {
        private final String name;
        private final FileChannel log;

        Work(String name, FileChannel log) {
            this.name = name;
            this.log = log;
        }

        /** Records the execution of {@code key} and its time, then returns {@code "NAME KEY"}. */
        public String work(long key) {
            byte[] line = (key + " " + System.currentTimeMillis() + "\n").getBytes(StandardCharsets.US_ASCII);
            try {
                ByteBuffer b = ByteBuffer.wrap(line);
                synchronized (log) {
                    while (b.hasRemaining()) {
                        log.write(b);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot log execution of " + key, e);
            }
            return name + " " + key;
        }
    }

    /**
     * System property of a server process: {@code none}, {@code memory}, or the URI of the Redis that keeps a dedup
     * window shared by the servers ({@link SoakOptions#dedup()}).
     */
    static final String DEDUP_PROPERTY = "pipeline.soak.dedup";

    /** Entry point of a server process. */
    public static void main(String[] args) throws IOException {
        // exits on SIGTERM (the shutdown hook closes the server) or SIGKILL; never by itself
        if (args.length != 4) {
            System.err.println("usage: SoakServer URI SERVICE NAME DIR");
            System.exit(2);
        }
        String uri = args[0];
        String service = args[1];
        String name = args[2];
        Path dir = Path.of(args[3]);
        FileChannel log = FileChannel.open(dir.resolve(name + ".log"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        String dedup = System.getProperty(DEDUP_PROPERTY, "none");
        ServerConfig.Builder config = ServerConfig.builder();
        if (dedup.equals("none")) {
            config.dedupWindow(java.time.Duration.ZERO);
        } else {
            config.idempotent(service, "work");
            if (!dedup.equals("memory")) {
                config.dedupStore(RedisDedupStore.open(dedup));
            }
        }
        RpcServer server = Rpc.server(uri, config.build());
        server.expose(service, new Work(name, log));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            try {
                log.close();
            } catch (IOException ignored) {
                // exiting anyway
            }
        }, "soak-server-shutdown"));
        server.start();
        Files.writeString(dir.resolve(name + ".ready"), Long.toString(ProcessHandle.current().pid()));
        // the transports' threads may all be daemons: the main thread keeps the process up until a signal ends it
        while (true) {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
