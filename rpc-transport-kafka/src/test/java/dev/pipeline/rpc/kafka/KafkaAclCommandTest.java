package dev.pipeline.rpc.kafka;

import dev.pipeline.rpc.tck.broker.KafkaBroker;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.tools.AclCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ACL lines of docs/operations.md run through Kafka's own {@code kafka-acls} tool ({@link AclCommand}, what
 * {@code kafka-acls.sh} starts), exactly as the guide tells an operator to, against the secured local broker: the
 * broker then holds exactly the ACLs that {@link KafkaSecurityTest} creates from the shipped files through the Admin
 * API, so what that test proves about the Admin path holds for an operator who follows the guide.
 */
class KafkaAclCommandTest {
    /** The command the guide gives; each line of its ACL blocks is appended to it. */
    private static final String GUIDE_COMMAND =
            "kafka-acls.sh --bootstrap-server <host:port> --command-config admin.properties --add";

    private static KafkaBroker broker;
    private static KafkaBroker.Security security;

    @BeforeAll
    static void securedBroker() {
        broker = KafkaBroker.startLocalSecured("orders-server", "orders-client");
        security = broker.security().orElseThrow();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void theGuidesKafkaAclsLinesCreateExactlyTheAclsTheAdminPathCreates(@TempDir Path dir) throws Exception {
        String guide = Files.readString(Path.of("..", "docs", "operations.md"));
        assertThat(guide).contains(GUIDE_COMMAND);
        List<String> lines = aclLines(guide);
        // server.acl, client.acl and the two Create files: ten lines in all
        assertThat(lines).hasSize(10);

        Path adminProperties = dir.resolve("admin.properties");
        Properties p = new Properties();
        p.putAll(security.adminProperties());
        try (OutputStream out = Files.newOutputStream(adminProperties)) {
            p.store(out, null);
        }
        for (String line : lines) {
            List<String> args = new ArrayList<>(List.of("--bootstrap-server", broker.bootstrapServers(),
                    "--command-config", adminProperties.toString(), "--add"));
            args.addAll(List.of(line.trim().split("\\s+")));
            runAclCommand(args.toArray(String[]::new));
        }

        Set<AclBinding> expected = new HashSet<>();
        for (String file : List.of(KafkaSecurityTest.SERVER_ACL, KafkaSecurityTest.CLIENT_ACL,
                KafkaSecurityTest.SERVER_CREATE_ACL, KafkaSecurityTest.CLIENT_CREATE_ACL)) {
            expected.addAll(KafkaSecurityTest.aclBindings(KafkaSecurityTest.resource(file)));
        }
        Map<String, Object> config = new HashMap<>(security.adminProperties());
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (Admin admin = Admin.create(config)) {
            Set<AclBinding> created = new HashSet<>(
                    admin.describeAcls(AclBindingFilter.ANY).values().get(60, TimeUnit.SECONDS));
            assertThat(created).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    /**
     * The lines of the guide's code blocks that are {@code kafka-acls} arguments (every line of such a block starts
     * with {@code --allow-principal}), in the guide's order.
     */
    private static List<String> aclLines(String guide) {
        List<String> lines = new ArrayList<>();
        String[] parts = guide.split("```", -1);
        for (int i = 1; i < parts.length; i += 2) {
            List<String> block = parts[i].lines().filter(l -> !l.isBlank()).toList();
            if (!block.isEmpty() && block.stream().allMatch(l -> l.startsWith("--allow-principal "))) {
                lines.addAll(block);
            }
        }
        return lines;
    }

    /**
     * Runs {@link AclCommand#main} in this JVM. It ends the JVM through Kafka's {@link Exit} on an error or a usage
     * message: that is turned into an assertion error carrying what the tool printed.
     */
    private static void runAclCommand(String[] args) {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        Exit.setExitProcedure((code, message) -> {
            throw new AssertionError("kafka-acls " + String.join(" ", args) + " exited with " + code + ": "
                    + message + "\n" + printed.toString(StandardCharsets.UTF_8));
        });
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            AclCommand.main(args);
        } finally {
            System.setOut(stdout);
            Exit.resetExitProcedure();
        }
        assertThat(printed.toString(StandardCharsets.UTF_8)).as("kafka-acls output").contains("Adding ACLs for resource");
    }
}
