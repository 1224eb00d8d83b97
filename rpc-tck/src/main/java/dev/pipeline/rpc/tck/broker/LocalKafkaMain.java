package dev.pipeline.rpc.tck.broker;

import java.nio.file.Path;

/**
 * Entry point of the child JVM that {@link LocalKafkaProcess} starts: formats the KRaft storage (idempotent), then
 * runs {@code kafka.Kafka server.properties} in this JVM.
 *
 * <p>Arguments: {@code <server.properties> <clusterId> <dirToDeleteIfOrphaned>}. A watchdog follows the parent
 * process; when it ends (the parent JVM died without stopping us), the temp directory is deleted and this JVM halts,
 * so a killed test run never leaves a broker behind.
 */
final class LocalKafkaMain {
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

        int rc = kafka.tools.StorageTool.execute(
                new String[] {"format", "-t", clusterId, "-c", config, "--ignore-formatted"}, System.out);
        if (rc != 0) {
            System.err.println("kafka storage format failed with exit code " + rc);
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
