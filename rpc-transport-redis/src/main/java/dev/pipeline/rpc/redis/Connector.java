package dev.pipeline.rpc.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * One Lettuce connection, connected lazily. Lettuce reconnects an established connection by itself; this class
 * adds what it does not do: retrying the first connection (the broker may start after the client) and a clear
 * one-line error. Keys and field names are UTF-8 strings, values raw bytes.
 */
final class Connector {
    static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private final RedisClient client;
    private final RedisURI uri;
    private final String display;
    private final String purpose;
    private CompletableFuture<StatefulRedisConnection<String, byte[]>> current;
    private boolean closed;

    Connector(RedisClient client, RedisURI uri, String display, String purpose) {
        this.client = client;
        this.uri = uri;
        this.display = display;
        this.purpose = purpose;
    }

    /** @return the connection, connecting (again, after a failed attempt) when needed. */
    synchronized CompletableFuture<StatefulRedisConnection<String, byte[]>> get() {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("Redis " + purpose + " connection closed"));
        }
        if (current == null || current.isCompletedExceptionally()) {
            CompletableFuture<StatefulRedisConnection<String, byte[]>> attempt = new CompletableFuture<>();
            current = attempt;
            client.connectAsync(CODEC, uri).whenComplete((c, err) -> {
                if (err != null) {
                    attempt.completeExceptionally(new RedisUnreachableException(display, user(uri), unwrap(err)));
                    return;
                }
                boolean closedMeanwhile;
                synchronized (this) {
                    closedMeanwhile = closed;
                }
                if (closedMeanwhile) {
                    c.closeAsync();
                    attempt.completeExceptionally(new IllegalStateException("Redis " + purpose + " connection closed"));
                } else {
                    attempt.complete(c);
                }
            });
        }
        return current;
    }

    /** @return the connection if it is established, else null. */
    synchronized StatefulRedisConnection<String, byte[]> now() {
        return current != null && current.isDone() && !current.isCompletedExceptionally() ? current.join() : null;
    }

    /** Closes the connection; commands in flight fail. Idempotent. */
    CompletableFuture<Void> close() {
        CompletableFuture<StatefulRedisConnection<String, byte[]>> c;
        synchronized (this) {
            if (closed) {
                return CompletableFuture.completedFuture(null);
            }
            closed = true;
            c = current;
        }
        if (c == null || !c.isDone() || c.isCompletedExceptionally()) {
            return CompletableFuture.completedFuture(null);
        }
        return c.join().closeAsync();
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** @return the ACL user a URI authenticates as, "default" for a password alone, or null for no credentials */
    static String user(RedisURI uri) {
        if (uri.getUsername() != null && !uri.getUsername().isEmpty()) {
            return uri.getUsername();
        }
        return uri.getPassword() != null && uri.getPassword().length > 0 ? "default" : null;
    }

    /**
     * @return whether {@code t} is the server's fatal TLS alert about this client's certificate: none was sent
     *     ({@code certificate_required}, {@code tls-auth-clients yes}) or the server does not accept it
     *     ({@code bad_certificate}, {@code unknown_ca}, {@code certificate_unknown}); retrying cannot help
     */
    static boolean clientCertificateRefused(Throwable t) {
        if (!(t instanceof javax.net.ssl.SSLException) || t.getMessage() == null) {
            return false;
        }
        String m = t.getMessage();
        return m.contains("fatal alert: certificate_required") || m.contains("fatal alert: bad_certificate")
                || m.contains("fatal alert: unknown_ca") || m.contains("fatal alert: certificate_unknown");
    }

    /**
     * @return whether retrying cannot help: wrong password, missing permission, bad database index, a TLS
     * server certificate that is not trusted or does not name the host, or a client certificate the server needs
     * and did not get or does not accept
     */
    static boolean permanent(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof RedisCommandExecutionException || c instanceof java.security.cert.CertificateException
                    || clientCertificateRefused(c)) {
                return true;
            }
            if (c == c.getCause()) {
                break;
            }
        }
        return false;
    }

    /**
     * A connection attempt failed; the message names the address (without credentials) and the cause: {@code cannot
     * reach Redis at redis://host:port: connection refused} when no TCP connection was made (refused, unknown host,
     * no answer), {@code cannot connect to Redis at ...} when one was and the handshake failed (TLS, credentials).
     */
    static final class RedisUnreachableException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        /** Whether no TCP connection was made at all. */
        final boolean network;

        RedisUnreachableException(String display, String user, Throwable cause) {
            super(message(display, user, cause), cause);
            this.network = networkFailure(cause) != null;
        }

        private static String message(String display, String user, Throwable cause) {
            Throwable network = networkFailure(cause);
            if (network == null) {
                return "cannot connect to Redis at " + display + (user == null ? "" : " as user '" + user + "'")
                        + ": " + (tls(cause) ? "TLS handshake failed: " : "") + rootMessage(cause)
                        + (untrusted(cause) ? " (the server's certificate is not signed by a trusted CA: set"
                        + " trustStore to its CA certificate)" : "")
                        + (clientCertificateRefusedIn(cause) ? " (the server asks for a client certificate signed by"
                        + " a CA it trusts: set keyStore and keyStorePassword)" : "");
            }
            String m = String.valueOf(network.getMessage()).toLowerCase(java.util.Locale.ROOT);
            String why = network instanceof java.net.UnknownHostException ? "unknown host"
                    : m.contains("refused") ? "connection refused"
                    : m.contains("timed out") || m.contains("timeout") ? "no answer within the connect timeout"
                    : rootMessage(cause);
            return "cannot reach Redis at " + display + ": " + why + " (is the broker running, and is this its"
                    + " address?)";
        }

        /** @return the cause that says no TCP connection was made, or null */
        private static Throwable networkFailure(Throwable t) {
            for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
                if (c instanceof java.net.ConnectException || c instanceof java.net.UnknownHostException
                        || c instanceof java.net.NoRouteToHostException) {
                    return c;
                }
            }
            return null;
        }

        private static boolean tls(Throwable t) {
            for (Throwable c = t; c != null && c != c.getCause(); c = c.getCause()) {
                if (c instanceof javax.net.ssl.SSLException) {
                    return true;
                }
            }
            return false;
        }

        private static boolean clientCertificateRefusedIn(Throwable t) {
            for (Throwable c = t; c != null && c != c.getCause(); c = c.getCause()) {
                if (clientCertificateRefused(c)) {
                    return true;
                }
            }
            return false;
        }

        private static boolean untrusted(Throwable t) {
            for (Throwable c = t; c != null && c != c.getCause(); c = c.getCause()) {
                if (c instanceof java.security.cert.CertPathBuilderException
                        || c instanceof java.security.cert.CertPathValidatorException) {
                    return true;
                }
            }
            return false;
        }

        private static String rootMessage(Throwable t) {
            Throwable root = t;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
            return dev.pipeline.rpc.spi.Secrets.mask(m.replace('\n', ' '));
        }
    }
}
