package dev.pipeline.rpc.soak;

import dev.pipeline.rpc.ClientConfig;
import dev.pipeline.rpc.ErrorCodes;
import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcException;
import dev.pipeline.rpc.RpcMetrics;
import dev.pipeline.rpc.tck.broker.KafkaBroker;
import dev.pipeline.rpc.tck.broker.RedisBroker;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The failover soak: per transport, starts a local broker (or uses the one given), {@link SoakOptions#servers()}
 * server processes ({@link SoakServer}, separate JVMs on this JVM's class path) and a load client in this JVM; kills
 * a random server with SIGKILL every {@link SoakOptions#killEvery()} while calls are being sent and starts a
 * replacement; then stops the servers with SIGTERM, reads their execution logs and prints the figures
 * ({@link SoakResult}).
 */
public final class Soak {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration WARMUP_TIMEOUT = Duration.ofSeconds(120);

    private final SoakOptions options;
    private final PrintStream out;

    private Soak(SoakOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /**
     * Runs the soak on each transport of {@code options} in turn, printing progress and each transport's figures.
     *
     * @return one result per transport
     * @throws UncheckedIOException when the logs cannot be written or read
     * @throws IllegalStateException when a broker or a server does not start
     */
    public static List<SoakResult> run(SoakOptions options, PrintStream out) {
        Soak soak = new Soak(options, out);
        Path root;
        try {
            root = options.workDir().isPresent() ? Files.createDirectories(options.workDir().get())
                    : Files.createTempDirectory("pipeline-soak-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<SoakResult> results = new ArrayList<>();
        for (String transport : options.transports()) {
            Path dir;
            try {
                dir = Files.createTempDirectory(root, transport + "-"); // a fresh folder: logs never mix runs
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            SoakResult r = soak.runOne(transport, dir);
            out.print(r.format());
            out.flush();
            results.add(r);
        }
        return results;
    }

    /** A server process. */
    private static final class Server {
        final String name;
        /** The place it holds among the servers; a replacement takes over the slot of the one it replaces. */
        final int slot;
        final Process process;
        final long startedNanos = System.nanoTime();
        volatile boolean killed;
        /** When it was killed ({@link System#currentTimeMillis()}, the clock of the execution logs). */
        volatile long killedAtMillis = Long.MAX_VALUE;

        Server(String name, int slot, Process process) {
            this.name = name;
            this.slot = slot;
            this.process = process;
        }
    }

    /** One kill: when, whom, and who was serving besides. */
    private record Kill(long nanos, String victim, Set<String> survivors) {
    }

    private SoakResult runOne(String transport, Path dir) {
        AutoCloseable ownedBroker = null;
        String uri;
        if (options.broker().isPresent()) {
            uri = options.broker().get();
        } else if (transport.equals("kafka")) {
            out.println("soak kafka: starting a local Kafka broker...");
            KafkaBroker k = KafkaBroker.startLocal();
            ownedBroker = k;
            uri = k.uri();
        } else {
            out.println("soak redis: starting a local redis-server...");
            RedisBroker r = RedisBroker.startLocal(false);
            ownedBroker = r;
            uri = r.uri().toString();
        }
        RedisBroker dedupRedis = null;
        try {
            dedupUri = null;
            if (options.dedup().equals("redis")) {
                if (uri.startsWith("redis")) {
                    dedupUri = uri;
                } else {
                    out.println("soak " + transport + ": starting a local redis-server for the shared dedup window...");
                    dedupRedis = RedisBroker.startLocal(false);
                    dedupUri = dedupRedis.uri().toString();
                }
            }
            return load(transport, uri, dir);
        } finally {
            if (dedupRedis != null) {
                dedupRedis.close();
            }
            if (ownedBroker != null) {
                try {
                    ownedBroker.close();
                } catch (Exception e) {
                    out.println("soak " + transport + ": closing the broker failed: " + e);
                }
            }
        }
    }

    private SoakResult load(String transport, String uri, Path dir) {
        String service = "soak-" + UUID.randomUUID().toString().substring(0, 8);
        List<Server> all = new ArrayList<>();
        int[] nextName = {0};
        Random random = new Random(options.seed());
        for (int i = 0; i < options.servers(); i++) {
            all.add(startServer(uri, service, dir, "server-" + (nextName[0]++), i));
        }
        int calls = options.calls();
        long[] sent = new long[calls];
        long[] done = new long[calls];
        long[] sentEpochMillis = new long[calls];
        String[] repliedBy = new String[calls];
        String[] failure = new String[calls];
        int[] failureCode = new int[calls];
        AtomicIntegerArray completions = new AtomicIntegerArray(calls);
        CountDownLatch open = new CountDownLatch(calls);
        Histogram latency = new Histogram(TimeUnit.HOURS.toMicros(1), 3);
        List<Kill> kills = new ArrayList<>();
        ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "soak-killer");
            t.setDaemon(true);
            return t;
        });
        HedgeCounts counts = new HedgeCounts();
        ClientConfig config = ClientConfig.builder().maxInFlight(Math.max(1000, options.inFlight() * 2))
                .defaultTimeout(options.callTimeout()).metrics(counts).build();
        // an interrupted soak (Ctrl-C) must not leave server processes behind
        Thread reaper = new Thread(() -> {
            synchronized (all) {
                all.forEach(sv -> sv.process.destroyForcibly());
            }
        }, "soak-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        RpcClient client = null;
        long loadStart;
        long loadEnd;
        boolean[] counted;
        try {
            for (Server s : all) {
                awaitReady(s, dir);
            }
            out.printf("soak %s: %d servers up at %s; warming up%n", transport, all.size(), uri);
            client = Rpc.client(uri, config);
            warmUp(client, service);
            warmAll(client, service, all.stream().map(sv -> sv.name).toList());
            RpcClient load = options.idempotent() ? client.idempotent() : client;
            out.printf("soak %s: %d %scalls, %d in flight%s, a kill every %s%s, call timeout %s%n", transport, calls,
                    options.idempotent() ? "idempotent " : "",
                    options.inFlight(), options.rate() > 0 ? ", " + options.rate() + "/s" : "",
                    options.killEvery().toMillis() + "ms",
                    options.maxKills() > 0 ? " (at most " + options.maxKills() + ")" : "",
                    options.callTimeout().toMillis() + "ms");
            Semaphore window = new Semaphore(options.inFlight());
            volatileSending = true;
            long killMs = options.killEvery().toMillis();
            killer.scheduleAtFixedRate(() -> {
                try {
                    synchronized (all) {
                        if (!volatileSending || (options.maxKills() > 0 && kills.size() >= options.maxKills())) {
                            return;
                        }
                        List<Server> live = all.stream().filter(s -> !s.killed && s.process.isAlive()
                                && Files.exists(dir.resolve(s.name + ".ready"))).toList();
                        if (live.size() < 2) {
                            return; // keep one answering
                        }
                        Server victim = live.get(random.nextInt(live.size()));
                        Set<String> survivors = new HashSet<>();
                        live.forEach(s -> survivors.add(s.name));
                        survivors.remove(victim.name);
                        victim.killed = true;
                        victim.killedAtMillis = System.currentTimeMillis();
                        long now = System.nanoTime();
                        if (options.graceful()) {
                            victim.process.destroy(); // SIGTERM: the server closes, handing its work over
                        } else {
                            victim.process.destroyForcibly(); // SIGKILL
                        }
                        kills.add(new Kill(now, victim.name, survivors));
                        out.printf("soak %s: %s %s (kill %d)%n", transport, options.graceful() ? "stopped" : "killed",
                                victim.name, kills.size());
                        all.add(startServer(uri, service, dir, "server-" + (nextName[0]++), victim.slot));
                    }
                } catch (RuntimeException e) {
                    out.println("soak " + transport + ": kill round failed: " + e);
                }
            }, killMs, killMs, TimeUnit.MILLISECONDS);

            loadStart = System.nanoTime();
            long started = loadStart;
            AtomicInteger sentCount = new AtomicInteger();
            killer.scheduleAtFixedRate(() -> {
                int killed;
                synchronized (all) {
                    killed = kills.size();
                }
                out.printf("soak %s: %d s, %d sent, %d completed, %d kills%n", transport,
                        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), sentCount.get(),
                        calls - open.getCount(), killed);
            }, 10, 10, TimeUnit.SECONDS);
            for (int i = 0; i < calls; i++) {
                if (options.rate() > 0) {
                    long due = loadStart + (long) (i * (1e9 / options.rate()));
                    long wait;
                    while ((wait = due - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                }
                window.acquireUninterruptibly();
                final int key = i;
                sent[key] = System.nanoTime();
                sentEpochMillis[key] = System.currentTimeMillis();
                CompletableFuture<String> f;
                try {
                    f = load.callAsync(service, "work", String.class, (long) key);
                } catch (RuntimeException e) {
                    f = CompletableFuture.failedFuture(e);
                }
                sentCount.set(key + 1);
                f.whenComplete((result, error) -> {
                    long now = System.nanoTime();
                    if (completions.incrementAndGet(key) != 1) {
                        return;
                    }
                    done[key] = now;
                    if (error == null) {
                        String[] parts = result == null ? new String[0] : result.split(" ");
                        if (parts.length == 2 && parts[1].equals(Long.toString(key))) {
                            repliedBy[key] = parts[0];
                        } else {
                            failure[key] = "wrong result: " + abbreviate(String.valueOf(result));
                        }
                    } else {
                        Throwable t = error instanceof CompletionException && error.getCause() != null
                                ? error.getCause() : error;
                        failureCode[key] = t instanceof RpcException re ? re.code() : 0;
                        failure[key] = describe(t);
                    }
                    synchronized (latency) {
                        latency.recordValue(Math.max(0, Math.min((now - sent[key]) / 1000,
                                latency.getHighestTrackableValue())));
                    }
                    window.release();
                    open.countDown();
                });
            }
            synchronized (all) {
                volatileSending = false;
            }
            long deadline = options.callTimeout().plus(options.grace()).toNanos();
            try {
                open.await(deadline, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            loadEnd = System.nanoTime();
            counted = new boolean[calls];
            for (int i = 0; i < calls; i++) {
                counted[i] = completions.get(i) > 0;
            }
        } finally {
            killer.shutdownNow();
            if (client != null) {
                client.close();
            }
            stopServers(all);
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException exiting) {
                // the JVM is exiting: the hook runs
            }
        }

        // the figures
        Map<Long, List<Execution>> executions = readLogs(dir, all, calls);
        Set<String> killed = new HashSet<>();
        Map<String, Long> killedAt = new HashMap<>();
        all.stream().filter(s -> s.killed).forEach(s -> {
            killed.add(s.name);
            killedAt.put(s.name, s.killedAtMillis);
        });
        int ok = 0;
        int failed = 0;
        int hung = 0;
        int lost = 0;
        int okUnlogged = 0;
        int twice = 0;
        Map<String, Integer> reasons = new TreeMap<>();
        for (int i = 0; i < calls; i++) {
            boolean executed = executions.containsKey((long) i);
            if (completions.get(i) > 1) {
                twice++;
            }
            if (!counted[i]) {
                hung++;
                if (!executed) {
                    lost++;
                }
            } else if (failure[i] == null) {
                ok++;
                if (!executed) {
                    okUnlogged++;
                }
            } else {
                failed++;
                reasons.merge(failure[i], 1, Integer::sum);
                boolean neverAccepted = failureCode[i] == ErrorCodes.OVERLOADED
                        || failureCode[i] == ErrorCodes.TRANSPORT_ERROR;
                if (!executed && !neverAccepted) {
                    lost++;
                }
            }
        }
        int dupKeys = 0;
        int extra = 0;
        int dupKilled = 0;
        int extraAfterKill = 0;
        for (List<Execution> by : executions.values()) {
            if (by.size() > 1) {
                dupKeys++;
                extra += by.size() - 1;
                if (by.stream().anyMatch(e -> killed.contains(e.server()))) {
                    dupKilled++;
                }
                extraAfterKill += redeliveredAfterKill(by, killedAt);
            }
        }
        List<Long> killToReply = new ArrayList<>();
        for (Kill k : kills) {
            long first = Long.MAX_VALUE;
            for (int i = 0; i < calls; i++) {
                if (counted[i] && repliedBy[i] != null && sent[i] > k.nanos() && k.survivors().contains(repliedBy[i])) {
                    first = Math.min(first, done[i] - k.nanos());
                }
            }
            killToReply.add(first == Long.MAX_VALUE ? -1 : TimeUnit.NANOSECONDS.toMillis(first));
        }
        // the slowest calls, with where and when (after the call was sent) each execution of their key ran
        List<String> slowest = new ArrayList<>();
        Integer[] order = new Integer[calls];
        for (int i = 0; i < calls; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(counted[b] ? done[b] - sent[b] : Long.MAX_VALUE,
                counted[a] ? done[a] - sent[a] : Long.MAX_VALUE));
        for (int j = 0; j < Math.min(SLOWEST, calls); j++) {
            int i = order[j];
            if (!counted[i]) {
                continue;
            }
            long sentMillis = sentEpochMillis[i];
            StringBuilder line = new StringBuilder(String.format("key %d: %d ms, %s; executed", i,
                    TimeUnit.NANOSECONDS.toMillis(done[i] - sent[i]),
                    repliedBy[i] != null ? "reply from " + repliedBy[i] : "failed"));
            for (Execution e : executions.getOrDefault((long) i, List.of())) {
                line.append(String.format(" %s%s +%d ms", e.server(), killed.contains(e.server())
                        ? " (killed " + (killedAt.get(e.server()) - sentMillis) + " ms after the send)" : "",
                        e.millis() - sentMillis));
            }
            slowest.add(line.toString());
        }
        long[] times = new long[ok + failed + 1];
        int n = 0;
        times[n++] = loadStart;
        for (int i = 0; i < calls; i++) {
            if (counted[i]) {
                times[n++] = done[i];
            }
        }
        Arrays.sort(times, 0, n);
        long gap = 0;
        for (int i = 1; i < n; i++) {
            gap = Math.max(gap, times[i] - times[i - 1]);
        }
        double p50;
        double p99;
        double max;
        synchronized (latency) {
            p50 = latency.getValueAtPercentile(50) / 1000.0;
            p99 = latency.getValueAtPercentile(99) / 1000.0;
            max = latency.getMaxValue() / 1000.0;
        }
        return new SoakResult(transport, uri, calls, ok, failed, reasons, hung, twice, lost, okUnlogged, dupKeys, extra,
                dupKilled, extraAfterKill, extra - extraAfterKill, options.idempotent(), counts.hedgesSent.get(),
                counts.hedgesWon.get(), counts.hedgesDenied.get(), counts.lateReplies.get(), slowest, p50, p99, max, kills.size(), killToReply, TimeUnit.NANOSECONDS.toMillis(gap),
                (loadEnd - loadStart) / 1e9, dir.toString());
    }

    private volatile boolean volatileSending;

    /** One execution of a key: by which server, when ({@link System#currentTimeMillis()}). */
    private record Execution(String server, long millis) {
    }

    /**
     * How many of a key's extra executions a kill explains: in time order, an execution after the first is a
     * redelivery when an earlier execution of the key ran on a process that was killed before this one started
     * (that process died with the work unacknowledged, so the broker handed it out again); each such killed
     * execution explains one redelivery. The others come from hedges, or from a partition that moved without a kill.
     */
    private static int redeliveredAfterKill(List<Execution> by, Map<String, Long> killedAt) {
        List<Execution> inOrder = new ArrayList<>(by);
        inOrder.sort(java.util.Comparator.comparingLong(Execution::millis));
        int explained = 0;
        int used = 0;
        for (int i = 1; i < inOrder.size(); i++) {
            long at = inOrder.get(i).millis();
            int available = 0;
            for (int j = 0; j < i; j++) {
                Long k = killedAt.get(inOrder.get(j).server());
                if (k != null && k <= at) {
                    available++;
                }
            }
            if (available > used) {
                used++;
                explained++;
            }
        }
        return explained;
    }

    /** What the client reports of its hedges and of the replies it dropped. */
    private static final class HedgeCounts implements RpcMetrics {
        final AtomicLong hedgesSent = new AtomicLong();
        final AtomicLong hedgesWon = new AtomicLong();
        final AtomicLong lateReplies = new AtomicLong();
        final AtomicLong hedgesDenied = new AtomicLong();

        @Override
        public void hedgeDenied(String service, String method, String transport) {
            hedgesDenied.incrementAndGet();
        }

        @Override
        public void hedgeSent(String service, String method, String transport) {
            hedgesSent.incrementAndGet();
        }

        @Override
        public void hedgeWon(String service, String method, String transport) {
            hedgesWon.incrementAndGet();
        }

        @Override
        public void lateReply(String transport) {
            lateReplies.incrementAndGet();
        }
    }

    private static String describe(Throwable t) {
        if (t instanceof RpcException re) {
            return "code " + re.code() + ": " + abbreviate(String.valueOf(re.getMessage()));
        }
        return t.getClass().getSimpleName() + ": " + abbreviate(String.valueOf(t.getMessage()));
    }

    private static String abbreviate(String s) {
        String one = s.replaceAll("\\s+", " ");
        // call-specific numbers (ids, keys, elapsed times) would split one reason into many
        one = one.replaceAll("\\d+", "N");
        return one.length() > 160 ? one.substring(0, 160) + "..." : one;
    }

    /** The Redis of a shared dedup window ({@code --dedup redis}) during a transport's run, else null. */
    private String dedupUri;

    private Server startServer(String uri, String service, Path dir, String name, int slot) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Map<String, String> query = new LinkedHashMap<>(options.serverOptions());
        if (options.stableIdentities() && uri.startsWith("kafka")) {
            query.put("group.instance.id", service + "-slot-" + slot);
        }
        StringBuilder serverUri = new StringBuilder(uri);
        query.forEach((k, v) -> serverUri.append(serverUri.indexOf("?") < 0 ? '?' : '&').append(k).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        String dedup = options.dedup().equals("redis") ? dedupUri : options.dedup();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC",
                "-D" + SoakServer.DEDUP_PROPERTY + "=" + dedup, "-cp",
                System.getProperty("java.class.path"), SoakServer.class.getName(), serverUri.toString(), service, name,
                dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".out").toFile());
        try {
            return new Server(name, slot, pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    private static void awaitReady(Server s, Path dir) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        Path ready = dir.resolve(s.name + ".ready");
        while (!Files.exists(ready)) {
            if (!s.process.isAlive()) {
                throw new IllegalStateException(s.name + " exited with " + s.process.exitValue() + "; see "
                        + dir.resolve(s.name + ".out"));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(s.name + " did not start within " + START_TIMEOUT + "; see "
                        + dir.resolve(s.name + ".out"));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /** Calls until one reply comes: the servers have their partitions or consumer groups. Keys below 0. */
    private static void warmUp(RpcClient client, String service) {
        RpcClient quick = client.withTimeout(Duration.ofSeconds(10));
        long deadline = System.nanoTime() + WARMUP_TIMEOUT.toNanos();
        long key = -1;
        while (true) {
            try {
                quick.callAsync(service, "work", String.class, key--).get(15, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException | TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no reply from the servers within " + WARMUP_TIMEOUT, e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while warming up", e);
            }
        }
    }

    /**
     * After the first reply: calls in rounds of 32 for at least {@link #WARM_NANOS} and until every server has
     * answered (up to {@link #WARMUP_TIMEOUT}), so that the load starts with each server in its group and its code
     * compiled, not with the start-up of the JVMs. Keys below 0.
     */
    private void warmAll(RpcClient client, String service, List<String> names) {
        RpcClient quick = client.withTimeout(Duration.ofSeconds(10));
        Set<String> answered = new HashSet<>();
        long start = System.nanoTime();
        long key = -1_000_000;
        while (System.nanoTime() - start < WARMUP_TIMEOUT.toNanos()
                && (System.nanoTime() - start < WARM_NANOS || !answered.containsAll(names))) {
            List<CompletableFuture<String>> round = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                round.add(quick.callAsync(service, "work", String.class, key--));
            }
            for (CompletableFuture<String> f : round) {
                try {
                    answered.add(f.get(15, TimeUnit.SECONDS).split(" ")[0]);
                } catch (ExecutionException | TimeoutException e) {
                    // a slow start: the next round tries again
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while warming up", e);
                }
            }
        }
        if (!answered.containsAll(names)) {
            out.printf("soak: after %s of warm-up only %s of %s answered; starting anyway%n", WARMUP_TIMEOUT,
                    answered, names);
        }
    }

    /** How many of the slowest calls the report describes. */
    private static final int SLOWEST = 3;

    /** The shortest warm-up. */
    private static final long WARM_NANOS = TimeUnit.SECONDS.toNanos(3);

    private void stopServers(List<Server> all) {
        List<Server> copy;
        synchronized (all) {
            copy = List.copyOf(all);
        }
        for (Server s : copy) {
            s.process.destroy(); // SIGTERM: the shutdown hook closes the server
        }
        for (Server s : copy) {
            try {
                if (!s.process.waitFor(30, TimeUnit.SECONDS)) {
                    out.println("soak: " + s.name + " did not stop within 30 s of SIGTERM; killing it");
                    s.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                s.process.destroyForcibly();
            }
        }
    }

    /** @return for each key in {@code [0, calls)}, the names of the servers whose log has it, once per execution */
    private static Map<Long, List<Execution>> readLogs(Path dir, List<Server> all, int calls) {
        Map<Long, List<Execution>> executions = new HashMap<>();
        for (Server s : all) {
            Path log = dir.resolve(s.name + ".log");
            if (!Files.exists(log)) {
                continue;
            }
            List<String> lines;
            try {
                lines = Files.readAllLines(log, StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + log, e);
            }
            for (String line : lines) {
                long key;
                long millis;
                String[] fields = line.trim().split(" ");
                try {
                    key = Long.parseLong(fields[0]);
                    millis = fields.length > 1 ? Long.parseLong(fields[1]) : 0;
                } catch (NumberFormatException e) {
                    continue; // a torn last line of a killed process
                }
                if (key >= 0 && key < calls) {
                    executions.computeIfAbsent(key, k -> new ArrayList<>(2)).add(new Execution(s.name, millis));
                }
            }
        }
        return executions;
    }
}
