package dev.pipeline.rpc.kafka;

import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One-line explanations of the Kafka failures a user must act on: credentials refused (naming the SASL user and
 * mechanism, never the password), a TLS handshake that failed (saying whether the broker's certificate is not
 * trusted or does not name the host), a principal the broker's ACLs do not allow, and a broker that does not answer
 * (with the {@code security.protocol} in use, since a plaintext client on a TLS listener only sees silence).
 */
final class KafkaErrors {
    /** {@code username="x"} (or {@code username=x}) in a JAAS config; the password is never read. */
    private static final Pattern JAAS_USER = Pattern.compile("\\busername\\s*=\\s*(?:\"([^\"]*)\"|([^\\s;\"]+))");

    private KafkaErrors() {
    }

    /** @return a one-line description of {@code failure} for {@code config}'s brokers, never holding a secret */
    static String explain(KafkaTransportConfig config, Throwable failure) {
        String at = " at " + config.bootstrapServers();
        SaslAuthenticationException sasl = find(failure, SaslAuthenticationException.class);
        if (sasl != null) {
            return "Kafka" + at + " refused the credentials of user " + user(config) + " (SASL "
                    + config.kafkaProperties().getOrDefault("sasl.mechanism", "GSSAPI") + "): " + sasl.getMessage();
        }
        SslAuthenticationException ssl = find(failure, SslAuthenticationException.class);
        if (ssl != null) {
            return "the TLS handshake with Kafka" + at + " failed: " + tlsReason(ssl) + " (" + root(ssl) + ")";
        }
        AuthorizationException denied = find(failure, AuthorizationException.class);
        if (denied != null) {
            return "Kafka" + at + " denied " + principal(config) + ": " + denied.getMessage()
                    + " (the broker's ACLs must allow it: docs/operations.md, \"Kafka: SASL_SSL and ACLs\")";
        }
        return String.valueOf(Topics.unwrap(failure).getMessage());
    }

    /**
     * @return why the producer did not accept a request to {@code topic}: for a timeout or a retriable error (the
     *     broker down, restarting or unreachable) {@code Kafka at host:port unavailable: ...}, naming the broker,
     *     instead of the producer's wording ({@code Topic rpc.x not present in metadata after 10000 ms}: the client
     *     sends only to topics it found, so a missing topic means a broker that does not answer)
     */
    static String sendFailure(KafkaTransportConfig config, String topic, Throwable e) {
        if (e instanceof org.apache.kafka.common.errors.TimeoutException
                || e instanceof org.apache.kafka.common.errors.RetriableException) {
            String m = String.valueOf(e.getMessage());
            java.util.regex.Matcher after = java.util.regex.Pattern.compile("after (\\d+) ?ms").matcher(m);
            String what = m.contains("not present in metadata")
                    ? "no metadata for '" + topic + "'" + (after.find() ? " within " + after.group(1) + " ms" : "")
                    : m;
            return "Kafka at " + config.bootstrapServers() + " unavailable: the request to '" + topic
                    + "' was not accepted (" + what + "; the broker is down, restarting or unreachable)";
        }
        return "Kafka did not accept the request to '" + topic + "': " + explain(config, e);
    }

    /**
     * @return the one-line error for a topic that does not exist and that the broker's ACLs do not allow this
     *     principal to create: the principal, the missing permission (Create) and the topic
     */
    static String createDenied(KafkaTransportConfig config, String topic, Throwable failure) {
        return "Kafka at " + config.bootstrapServers() + " denied " + principal(config)
                + " the Create permission on topic '" + topic + "', which does not exist (autoCreateTopics=true): "
                + "allow Create on it (docs/operations.md, \"Kafka: SASL_SSL and ACLs\") or create the topic "
                + "beforehand (" + Topics.unwrap(failure).getMessage() + ")";
    }

    /**
     * @return what a client that got no answer within {@code millis} should check: the broker, and whether its
     *     listener expects another {@code security.protocol} than this one
     */
    static String noAnswer(KafkaTransportConfig config, long millis) {
        String protocol = protocol(config);
        return "Kafka at " + config.bootstrapServers() + " did not answer within " + millis
                + " ms with security.protocol=" + protocol + ": is the broker down, or does its listener expect "
                + (protocol.startsWith("SASL") || protocol.equals("SSL") ? "another security.protocol"
                : "TLS or SASL (security.protocol SSL, SASL_SSL or SASL_PLAINTEXT)") + "?";
    }

    private static String protocol(KafkaTransportConfig config) {
        return config.kafkaProperties().getOrDefault("security.protocol", "PLAINTEXT").trim()
                .toUpperCase(Locale.ROOT);
    }

    private static String tlsReason(SslAuthenticationException e) {
        String all = chainText(e);
        if (all.contains("No subject alternative") || all.contains("No name matching")
                || all.contains("doesn't match") || all.contains("HostnameChecker")) {
            return "the broker's certificate does not name the host connected to (host name verification,"
                    + " ssl.endpoint.identification.algorithm)";
        }
        if (all.contains("PKIX") || all.contains("unable to find valid certification path")
                || all.contains("CertPathBuilder")) {
            return "the broker's certificate is not signed by a CA the client trusts (ssl.truststore.*)";
        }
        return "the broker's TLS listener refused the handshake or its certificate";
    }

    private static String user(KafkaTransportConfig config) {
        String jaas = config.kafkaProperties().get("sasl.jaas.config");
        if (jaas != null) {
            Matcher m = JAAS_USER.matcher(jaas);
            if (m.find()) {
                return "'" + (m.group(1) != null ? m.group(1) : m.group(2)) + "'";
            }
        }
        return "(no username in sasl.jaas.config)";
    }

    private static String principal(KafkaTransportConfig config) {
        return protocol(config).startsWith("SASL") ? "user " + user(config) : "this client's principal";
    }

    private static String root(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        return r.getClass().getSimpleName() + (r.getMessage() == null ? "" : ": " + r.getMessage());
    }

    private static String chainText(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            b.append(c.getClass().getName()).append(": ").append(c.getMessage()).append('\n');
        }
        return b.toString();
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }
}
