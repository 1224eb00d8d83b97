package dev.pipeline.rpc.tck.broker;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Entry point of the child JVM that {@link LocalKafkaProcess} starts: formats the KRaft storage (idempotent), then
 * runs {@code kafka.Kafka server.properties} in this JVM.
 *
 * <p>Arguments: {@code <server.properties> <clusterId> <dirToDeleteIfOrphaned>}. A watchdog follows the parent
 * process; when it ends (the parent JVM died without stopping us), the temp directory is deleted and this JVM halts,
 * so a killed test run never leaves a broker behind.
 */
final class LocalKafkaMain {
    /**
     * In the temp directory of a secured broker: one SCRAM-SHA-512 user a line, {@code name=<user>,password=<pw>},
     * created at format time ({@code --add-scram}).
     */
    static final String SCRAM_USERS_FILE = "scram-users";

    private LocalKafkaMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: LocalKafkaMain <server.properties> <clusterId> <tempDir>");
            System.exit(2);
        }
        String config = args[0];
        String clusterId = args[1];
        Path tempDir = Path.of(args[2]);
        startOrphanWatchdog(tempDir);

        List<String> format = new ArrayList<>(List.of("format", "-t", clusterId, "-c", config, "--ignore-formatted"));
        Path users = tempDir.resolve(SCRAM_USERS_FILE);
        if (Files.exists(users)) {
            for (String line : Files.readAllLines(users, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    format.add("--add-scram");
                    format.add("SCRAM-SHA-512=[" + line.trim() + "]");
                }
            }
        }
        // StorageTool prints what it formats, the SCRAM arguments included: keep its output to itself
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int rc = kafka.tools.StorageTool.execute(format.toArray(new String[0]),
                new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
        if (rc != 0) {
            System.err.println("kafka storage format failed with exit code " + rc + ": "
                    + out.toString(StandardCharsets.UTF_8).replaceAll("password=[^,\\]\\s]*", "password=***"));
            System.exit(rc);
        }
        kafka.Kafka.main(new String[] {config});
    }

    private static void startOrphanWatchdog(Path tempDir) {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
            System.err.println("parent JVM " + parent.pid() + " is gone: deleting " + tempDir + " and halting");
            LocalKafkaProcess.deleteRecursively(tempDir);
            Runtime.getRuntime().halt(0);
        }));
    }
}
