package dev.pipeline.rpc.tck.broker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Redis server for tests, benchmarks and examples, found or started along the provisioning ladder:
 * <ol>
 *   <li>the address in system property {@value #URI_PROPERTY} or environment variable {@value #URI_ENV};</li>
 *   <li>a Testcontainers {@code redis} container when a Docker engine answers (disable with
 *       {@code -Dpipeline.testcontainers=false});</li>
 *   <li>{@code redis-server} from the {@code PATH}, started on a random free loopback port with a temporary
 *       directory and no persistence;</li>
 *   <li>the Redis 6.2 binary shipped in the Maven Central artifact {@code com.github.codemonstur:embedded-redis},
 *       so a machine with only a JDK works too (force it with {@code -Dpipeline.redis.embedded=true}).</li>
 * </ol>
 * The machine-wide Redis on port 6379 is never used unless it is named explicitly. Local processes are stopped and
 * their directories removed by {@link #close()} or, at the latest, when the JVM exits.
 *
 * <pre>{@code
 * URI uri = RedisBroker.shared().uri();   // e.g. redis://127.0.0.1:41234
 * }</pre>
 */
public final class RedisBroker implements AutoCloseable {
    /** System property naming an existing Redis ({@code redis://host:port}); skips every other rung. */
    public static final String URI_PROPERTY = "pipeline.redis.uri";
    /** Environment variable naming an existing Redis, used when the system property is absent. */
    public static final String URI_ENV = "PIPELINE_REDIS_URI";

    private static final Logger log = LoggerFactory.getLogger(RedisBroker.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static RedisBroker shared;

    private final String description;
    private final LocalProcess process;      // null unless a local process
    private final AutoCloseable container;   // null unless Testcontainers
    private final Thread shutdownHook;
    private volatile URI uri;
    private boolean closed;

    private RedisBroker(String description, URI uri, LocalProcess process, AutoCloseable container) {
        this.description = description;
        this.uri = uri;
        this.process = process;
        this.container = container;
        if (process != null || container != null) {
            shutdownHook = new Thread(this::closeQuietly, "redis-broker-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        } else {
            shutdownHook = null;
        }
    }

    /**
     * @return the broker shared by everything in this JVM, started on first use along the ladder; stopped when the
     * JVM exits (closing it is a no-op)
     */
    public static synchronized RedisBroker shared() {
        if (shared == null) {
            shared = startFromLadder();
            log.info("Redis for this JVM: {} at {}", shared.description, shared.uri);
        }
        return shared;
    }

    /**
     * Starts a new private local {@code redis-server} (from the PATH, else the embedded binary) regardless of the
     * ladder, for tests that stop and restart the broker.
     *
     * @param appendOnly whether to enable the append-only file so data survives {@link #restart()}
     * @return the broker, owned by the caller (close it)
     */
    public static RedisBroker startLocal(boolean appendOnly) {
        return startLocal(appendOnly, Boolean.getBoolean("pipeline.redis.embedded"));
    }

    /** As {@link #startLocal(boolean)}; {@code embedded} skips the PATH and uses the embedded binary. */
    static RedisBroker startLocal(boolean appendOnly, boolean embedded) {
        LocalProcess p = LocalProcess.start(appendOnly ? "everysec" : null, embedded, null, false);
        return new RedisBroker(p.description(), p.uri(), p, null);
    }

    /**
     * As {@link #startLocal(boolean) startLocal(true)} with the given fsync policy of the append-only file.
     *
     * @param appendFsync {@code everysec} (what {@link #startLocal(boolean)} uses), {@code always} or {@code no}
     * @return the broker, owned by the caller (close it)
     * @throws IllegalArgumentException for another policy
     */
    public static RedisBroker startLocalAppendOnly(String appendFsync) {
        if (!List.of("everysec", "always", "no").contains(appendFsync)) {
            throw new IllegalArgumentException("appendfsync must be everysec, always or no, was " + appendFsync);
        }
        LocalProcess p = LocalProcess.start(appendFsync, Boolean.getBoolean("pipeline.redis.embedded"), null, false);
        return new RedisBroker(p.description(), p.uri(), p, null);
    }

    /**
     * Starts a private local {@code redis-server} (from the PATH: the embedded binary has no TLS) that also accepts
     * TLS, with a CA and a server certificate for {@code 127.0.0.1} and {@code localhost} generated for it
     * ({@link TestCertificates}). {@link #uri()} stays the plain port (for set-up commands); {@link #tls()} gives
     * the TLS address and the files. Clients are not asked for certificates ({@code tls-auth-clients no}; see
     * {@link #startLocalMutualTls}).
     *
     * @param appendOnly whether to enable the append-only file
     * @return the broker, owned by the caller (close it)
     * @throws IllegalStateException when the redis-server on the PATH was built without TLS
     */
    public static RedisBroker startLocalTls(boolean appendOnly) {
        return startLocalTls(appendOnly, "ip:127.0.0.1,dns:localhost");
    }

    /**
     * As {@link #startLocalTls(boolean)} with a server certificate for other names, e.g. {@code dns:elsewhere.test}
     * for a certificate that does not match the address a client connects to.
     *
     * @param appendOnly whether to enable the append-only file
     * @param subjectAltNames the server certificate's subject alternative names in keytool's syntax
     * @return the broker, owned by the caller (close it)
     * @throws IllegalStateException when the redis-server on the PATH was built without TLS
     */
    public static RedisBroker startLocalTls(boolean appendOnly, String subjectAltNames) {
        LocalProcess p = LocalProcess.start(appendOnly ? "everysec" : null, false, subjectAltNames, false);
        return new RedisBroker(p.description(), p.uri(), p, null);
    }

    /**
     * As {@link #startLocalTls(boolean)}, and the TLS port asks every client for a certificate signed by the CA
     * ({@code tls-auth-clients yes}); make one with {@link TestCertificates#generateClient}. The plain port stays
     * open for set-up commands.
     *
     * @param appendOnly whether to enable the append-only file
     * @return the broker, owned by the caller (close it)
     * @throws IllegalStateException when the redis-server on the PATH was built without TLS
     */
    public static RedisBroker startLocalMutualTls(boolean appendOnly) {
        LocalProcess p = LocalProcess.start(appendOnly ? "everysec" : null, false, "ip:127.0.0.1,dns:localhost",
                true);
        return new RedisBroker(p.description(), p.uri(), p, null);
    }

    private static RedisBroker startFromLadder() {
        String given = System.getProperty(URI_PROPERTY);
        if (given == null || given.isBlank()) {
            given = System.getenv(URI_ENV);
        }
        if (given != null && !given.isBlank()) {
            URI u = URI.create(given.trim());
            return new RedisBroker("given address (" + URI_PROPERTY + "/" + URI_ENV + ")", u, null, null);
        }
        if (DockerProbe.dockerLikely()) {
            try {
                RedisContainerSupport.Started c = RedisContainerSupport.start();
                if (c != null) {
                    return new RedisBroker("Testcontainers " + c.image(), c.uri(), null, c.container());
                }
            } catch (Throwable t) { // a broken Docker setup must not prevent the next rung
                log.warn("Testcontainers Redis failed ({}); falling back to a local redis-server", t.toString());
            }
        }
        return startLocal(false);
    }

    /** @return the address, e.g. {@code redis://127.0.0.1:41234}. */
    public URI uri() {
        return uri;
    }

    /** @return where this broker came from (given address, container, PATH binary or embedded binary). */
    public String description() {
        return description;
    }

    /**
     * @return the {@code redis-server} process when this broker is a local process that is running (the benchmarks
     * read its CPU time), else empty
     */
    public Optional<ProcessHandle> localProcess() {
        return process == null ? Optional.empty() : process.handle();
    }

    /**
     * The TLS side of a broker from {@link #startLocalTls(boolean)}.
     *
     * @param uri          {@code rediss://127.0.0.1:<tls port>}
     * @param certificates the CA (PEM and PKCS#12 trust store) and the server's certificate and key
     * @param serverOptions the TLS options {@code redis-server} was started with, as {@code redis.conf} lines
     */
    public record Tls(URI uri, TestCertificates certificates, List<String> serverOptions) {
    }

    /**
     * @return the TLS address and files
     * @throws IllegalStateException when this broker was not started by {@link #startLocalTls(boolean)}
     */
    public Tls tls() {
        if (process == null || process.certificates == null) {
            throw new IllegalStateException("not a TLS broker: " + description);
        }
        return new Tls(URI.create("rediss://127.0.0.1:" + process.tlsPort), process.certificates,
                process.tlsOptions());
    }

    /** @return whether {@link #restart()} is supported (only for local processes). */
    public boolean restartable() {
        return process != null;
    }

    /**
     * Stops the local server (gracefully, so an append-only file is flushed) and starts it again on the same port
     * and directory. Clients see their connections drop and must reconnect.
     *
     * @throws UnsupportedOperationException when the broker is not a local process
     */
    public synchronized void restart() {
        if (process == null) {
            throw new UnsupportedOperationException("only a local redis-server can be restarted; this one is "
                    + description);
        }
        if (closed) {
            throw new IllegalStateException("broker is closed");
        }
        process.restart();
    }

    /**
     * Kills the local server with SIGKILL, as a crash would: nothing is flushed, the append-only file holds what
     * Redis wrote to it before it died. The broker stays down until {@link #restart()}, which starts it on the same
     * port with the same directory.
     *
     * @throws UnsupportedOperationException when the broker is not a local process
     */
    public synchronized void kill() {
        if (process == null) {
            throw new UnsupportedOperationException("only a local redis-server can be killed; this one is "
                    + description);
        }
        if (closed) {
            throw new IllegalStateException("broker is closed");
        }
        process.kill();
    }

    /** Stops the local server or container and removes its data; a no-op for the shared and given brokers. */
    @Override
    public void close() {
        if (this == sharedOrNull()) {
            return; // stopped by the shutdown hook
        }
        closeQuietly();
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException ignored) { // JVM already shutting down
            }
        }
    }

    private static synchronized RedisBroker sharedOrNull() {
        return shared;
    }

    private synchronized void closeQuietly() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (process != null) {
                process.stopAndDelete();
            }
            if (container != null) {
                container.close();
            }
        } catch (Exception e) {
            log.warn("stopping Redis ({}) failed: {}", description, e.toString());
        }
    }

    @Override
    public String toString() {
        return "RedisBroker[" + description + " at " + uri + "]";
    }

    /**
     * Starts a broker along the ladder, prints its URI and runs until interrupted (Ctrl-C).
     * {@code --aof} starts a local server with the append-only file enabled.
     *
     * @param args {@code --aof}, or nothing
     * @throws InterruptedException when interrupted while waiting
     */
    public static void main(String[] args) throws InterruptedException {
        boolean aof = List.of(args).contains("--aof");
        RedisBroker broker = aof ? startLocal(true) : startFromLadder();
        System.out.println(broker.uri());
        System.err.println("Redis (" + broker.description() + ") at " + broker.uri() + "; Ctrl-C to stop");
        Thread.currentThread().join();
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** A redis-server child process on a loopback port with its own temporary directory. */
    static final class LocalProcess {
        private final Path executable;
        private final String origin;
        private final boolean appendOnly;
        private final String appendFsync;
        private final Path dir;
        private final int port;
        private final int tlsPort;                  // 0: no TLS
        private final TestCertificates certificates; // null: no TLS
        private final boolean authClients;           // tls-auth-clients yes
        private Process process;

        private LocalProcess(Path executable, String origin, String appendFsync, Path dir, int port, int tlsPort,
                             TestCertificates certificates, boolean authClients) {
            this.executable = executable;
            this.origin = origin;
            this.appendOnly = appendFsync != null;
            this.appendFsync = appendFsync == null ? "everysec" : appendFsync;
            this.dir = dir;
            this.port = port;
            this.tlsPort = tlsPort;
            this.certificates = certificates;
            this.authClients = authClients;
        }

        synchronized Optional<ProcessHandle> handle() {
            Process p = process;
            if (p == null || !p.isAlive()) {
                return Optional.empty();
            }
            ProcessHandle launched = p.toHandle(); // the shell guard when there is one: redis-server is its child
            return Optional.of(launched.descendants()
                    .filter(d -> d.info().command().map(c -> c.contains("redis")).orElse(false))
                    .findFirst().orElse(launched));
        }

        /** @param appendFsync the append-only file's fsync policy, or null for no append-only file */
        static LocalProcess start(String appendFsync, boolean embedded, String tlsNames, boolean authClients) {
            Executable exe = findExecutable(embedded);
            IllegalStateException last = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                Path dir;
                try {
                    dir = Files.createTempDirectory("pipeline-redis-");
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot create a temporary directory for Redis", e);
                }
                LocalProcess p;
                try {
                    p = tlsNames == null
                            ? new LocalProcess(exe.path, exe.origin, appendFsync, dir, freePort(), 0, null, false)
                            : new LocalProcess(exe.path, exe.origin, appendFsync, dir, freePort(), freePort(),
                            TestCertificates.generate(Files.createDirectories(dir.resolve("tls")), tlsNames),
                            authClients);
                } catch (IOException | RuntimeException e) {
                    deleteRecursively(dir);
                    throw e instanceof RuntimeException r ? r
                            : new UncheckedIOException("cannot create " + dir.resolve("tls"), (IOException) e);
                }
                try {
                    p.launch();
                    return p;
                } catch (IllegalStateException e) {
                    last = e;
                    p.stopAndDelete();
                    if (!e.getMessage().contains("Address already in use")) {
                        throw e;
                    }
                }
            }
            throw last;
        }

        URI uri() {
            return URI.create("redis://127.0.0.1:" + port);
        }

        String description() {
            return origin + (appendOnly ? " (append-only file on, appendfsync " + appendFsync + ")" : "")
                    + (tlsPort > 0 ? " (TLS on port " + tlsPort + ")" : "") + ", data in " + dir;
        }

        /** @return the TLS options, as redis.conf lines, or an empty list */
        List<String> tlsOptions() {
            if (certificates == null) {
                return List.of();
            }
            return List.of("tls-port " + tlsPort, "tls-cert-file " + certificates.serverCertificate(),
                    "tls-key-file " + certificates.serverKey(), "tls-ca-cert-file " + certificates.caCertificate(),
                    "tls-auth-clients " + (authClients ? "yes" : "no"));
        }

        private synchronized void launch() {
            List<String> cmd = new ArrayList<>(List.of(executable.toString(),
                    "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                    "--daemonize", "no", "--save", "", "--appendonly", appendOnly ? "yes" : "no",
                    "--appendfsync", appendFsync, "--logfile", ""));
            for (String line : tlsOptions()) {
                int space = line.indexOf(' ');
                cmd.add("--" + line.substring(0, space));
                cmd.add(line.substring(space + 1));
            }
            if (Files.isExecutable(SH)) {
                cmd.addAll(0, List.of(SH.toString(), "-c", GUARD)); // $0 = redis-server, "$@" = its options
            }
            File logFile = dir.resolve("redis.log").toFile();
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile));
            try {
                process = pb.start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot start " + executable + ": " + e.getMessage(), e);
            }
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("redis-server (" + origin + ") exited with code "
                            + process.exitValue() + " on port " + port + "; log tail:\n" + logTail());
                }
                if (ping(port)) {
                    log.debug("redis-server ({}) answers on port {}", origin, port);
                    return;
                }
                sleep(20);
            }
            process.destroyForcibly();
            throw new IllegalStateException("redis-server (" + origin + ") did not answer PING on port " + port
                    + " within " + START_TIMEOUT.toSeconds() + " s; log tail:\n" + logTail());
        }

        synchronized void restart() {
            stop();
            launch();
        }

        /** SIGKILLs redis-server itself (not its guard) and waits until it is gone. */
        synchronized void kill() {
            Process p = process;
            if (p == null || !p.isAlive()) {
                return;
            }
            ProcessHandle server = handle().orElse(p.toHandle());
            server.destroyForcibly(); // SIGKILL
            try {
                server.onExit().get(10, TimeUnit.SECONDS);
                p.waitFor(10, TimeUnit.SECONDS); // the guard returns from its wait when redis-server is gone
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while killing Redis", e);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("redis-server on port " + port + " did not die: " + e, e);
            }
        }

        private synchronized void stop() {
            if (process == null) {
                return;
            }
            try {
                // under the guard: closing its stdin makes it SIGTERM Redis, which shuts down gracefully (flushing
                // the append-only file); without the guard, SIGTERM it directly
                if (Files.isExecutable(SH)) {
                    process.getOutputStream().close();
                } else {
                    process.destroy();
                }
            } catch (IOException e) {
                process.destroy();
            }
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            process = null;
        }

        synchronized void stopAndDelete() {
            stop();
            deleteRecursively(dir);
        }

        private String logTail() {
            try {
                List<String> lines = Files.readAllLines(dir.resolve("redis.log"), StandardCharsets.UTF_8);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
            } catch (IOException e) {
                return "(no log: " + e.getMessage() + ")";
            }
        }
    }

    private static final Path SH = Path.of("/bin/sh");
    /**
     * Runs redis-server in the background and waits for it; a watcher stops it (SIGTERM) when this JVM's end of
     * the guard's stdin closes - on {@code stop()}, and also when the JVM dies without running its shutdown hooks
     * (killed by a test runner's timeout, say), so no Redis outlives the tests.
     */
    private static final String GUARD = "exec 3<&0; \"$0\" \"$@\" 3<&- & p=$!; "
            + "(cat <&3 >/dev/null; kill $p 2>/dev/null) & wait $p"; // background jobs get /dev/null as stdin: fd 3

    private record Executable(Path path, String origin) {
    }

    private static Executable findExecutable(boolean embedded) {
        String explicit = System.getProperty("pipeline.redis.server");
        if (explicit != null && !explicit.isBlank()) {
            return new Executable(Path.of(explicit), explicit);
        }
        if (!embedded) {
            String path = System.getenv("PATH");
            if (path != null) {
                for (String d : path.split(File.pathSeparator)) {
                    if (d.isEmpty()) {
                        continue;
                    }
                    Path candidate = Path.of(d, "redis-server");
                    if (Files.isExecutable(candidate)) {
                        return new Executable(candidate, "redis-server from PATH (" + candidate + ")");
                    }
                }
            }
        }
        return embeddedExecutable();
    }

    /** Extracts the Redis binary of com.github.codemonstur:embedded-redis for this OS and architecture. */
    private static Executable embeddedExecutable() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
        boolean arm64 = arch.equals("aarch64") || arch.equals("arm64");
        String resource;
        if (os.contains("linux")) {
            resource = x64 ? "redis-server-6.2.6-v5-linux-amd64" : arm64 ? "redis-server-6.2.7-linux-arm64"
                    : arch.matches("i?[x3-6]86") ? "redis-server-6.2.7-linux-386" : null;
        } else if (os.contains("mac") || os.contains("darwin")) {
            resource = x64 ? "redis-server-6.2.6-v5-darwin-amd64" : arm64 ? "redis-server-6.2.6-v5-darwin-arm64" : null;
        } else {
            resource = null;
        }
        if (resource == null) {
            throw new IllegalStateException("no redis-server on the PATH and no embedded Redis binary for " + os
                    + "/" + arch + "; install Redis 6.2+ or set -D" + URI_PROPERTY + "=redis://host:port");
        }
        try (InputStream in = RedisBroker.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no redis-server on the PATH and com.github.codemonstur:embedded-redis"
                        + " (resource " + resource + ") is not on the class path");
            }
            Path cacheDir = Path.of(System.getProperty("java.io.tmpdir"), "pipeline-redis-bin");
            Files.createDirectories(cacheDir);
            Path target = cacheDir.resolve(resource);
            if (!Files.isExecutable(target)) {
                Path tmp = Files.createTempFile(cacheDir, resource, ".part");
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                if (!tmp.toFile().setExecutable(true)) {
                    throw new IOException("cannot make " + tmp + " executable");
                }
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return new Executable(target, "embedded Redis 6.2 binary (" + resource + ")");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the embedded Redis binary " + resource, e);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    /** @return whether a Redis on 127.0.0.1:port answers PING (inline command, raw RESP). */
    static boolean ping(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] buf = new byte[64];
            int n = s.getInputStream().read(buf);
            // "+PONG" when ready; "-LOADING ..." while loading the append-only file
            return n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Redis", e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.debug("cannot delete {}: {}", dir, e.toString());
        }
    }

    /** A cheap check before asking Testcontainers, so a machine without Docker pays nothing. */
    static final class DockerProbe {
        private DockerProbe() {
        }

        static boolean dockerLikely() {
            if ("false".equalsIgnoreCase(System.getProperty("pipeline.testcontainers", "true"))) {
                return false;
            }
            String host = System.getenv("DOCKER_HOST");
            if (host != null && !host.isBlank()) {
                return true;
            }
            String home = System.getProperty("user.home", "");
            return Files.exists(Path.of("/var/run/docker.sock"))
                    || Files.exists(Path.of(home, ".docker", "run", "docker.sock"))
                    || Files.exists(Path.of(home, ".testcontainers.properties"));
        }
    }
}
