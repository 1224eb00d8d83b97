package dev.pipeline.rpc.tck.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority and a server certificate for loopback, made with the JDK's {@code keytool} (no other
 * dependency): a CA key pair ({@code CN=pipeline-test-ca}, basic constraints CA), a server key pair whose
 * certificate the CA signs for {@code CN=localhost} with the subject alternative names {@code IP:127.0.0.1} and
 * {@code DNS:localhost} (so that clients verify the host name), the server's PKCS12 keystore holding its key with
 * the chain, and a PKCS12 truststore holding the CA certificate. Valid for two days.
 */
final class KafkaCertificates {
    /** The server's keystore (key and chain) and the clients' truststore (the CA), one password for both. */
    record Stores(Path keystore, Path truststore, String password) {
        @Override
        public String toString() {
            return "keystore " + keystore + ", truststore " + truststore;
        }
    }

    private static final char[] ALPHANUMERIC =
            "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private KafkaCertificates() {
    }

    /** Makes the CA, the server certificate and both stores in {@code dir}. */
    static Stores create(Path dir) {
        String password = randomSecret(20);
        Path ca = dir.resolve("ca.p12");
        Path caCert = dir.resolve("ca.crt");
        Path keystore = dir.resolve("broker.p12");
        Path csr = dir.resolve("broker.csr");
        Path cert = dir.resolve("broker.crt");
        Path truststore = dir.resolve("truststore.p12");
        keytool(password, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=pipeline-test-ca", "-ext", "bc:c", "-validity", "2",
                "-keystore", ca.toString(), "-storetype", "PKCS12");
        keytool(password, "-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(),
                "-file", caCert.toString());
        keytool(password, "-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-validity", "2", "-keystore", keystore.toString(), "-storetype", "PKCS12");
        keytool(password, "-certreq", "-alias", "broker", "-keystore", keystore.toString(), "-file", csr.toString());
        keytool(password, "-gencert", "-alias", "ca", "-keystore", ca.toString(), "-infile", csr.toString(),
                "-outfile", cert.toString(), "-rfc", "-validity", "2",
                "-ext", "SAN=IP:127.0.0.1,DNS:localhost",
                "-ext", "KU=digitalSignature,keyAgreement", "-ext", "EKU=serverAuth");
        keytool(password, "-importcert", "-noprompt", "-alias", "ca", "-keystore", keystore.toString(),
                "-file", caCert.toString());
        keytool(password, "-importcert", "-alias", "broker", "-keystore", keystore.toString(),
                "-file", cert.toString());
        keytool(password, "-importcert", "-noprompt", "-alias", "ca", "-keystore", truststore.toString(),
                "-storetype", "PKCS12", "-file", caCert.toString());
        return new Stores(keystore, truststore, password);
    }

    /** A random password of {@code length} letters and digits (no quoting needed in JAAS or properties). */
    static String randomSecret(int length) {
        char[] c = new char[length];
        for (int i = 0; i < length; i++) {
            c[i] = ALPHANUMERIC[RANDOM.nextInt(ALPHANUMERIC.length)];
        }
        return new String(c);
    }

    /** Runs keytool with the store (and key) password from an environment variable, never on the command line. */
    private static void keytool(String password, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storepass:env", "PIPELINE_STORE_PASS"));
        if (args[0].equals("-genkeypair") || args[0].equals("-certreq") || args[0].equals("-gencert")) {
            cmd.addAll(List.of("-keypass:env", "PIPELINE_STORE_PASS"));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PIPELINE_STORE_PASS", password);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("keytool " + args[0] + " did not finish in 60 s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("keytool " + args[0] + " failed with exit code " + p.exitValue()
                        + ": " + new String(out, StandardCharsets.UTF_8).trim());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run keytool: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }
}
