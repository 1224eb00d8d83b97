package dev.pipeline.examples.messenger;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * A chat message: travels as JSON {@code {"sender":"alice","recipient":"bob","text":"hi","timestamp":1700000000000}}.
 *
 * @param timestamp when it was sent, epoch milliseconds; 0 lets the messenger service stamp it
 */
public record Message(String sender, String recipient, String text, long timestamp) {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    /** A message stamped now. */
    public static Message now(String sender, String recipient, String text) {
        return new Message(sender, recipient, text, System.currentTimeMillis());
    }

    /** @return this message with {@code timestamp} set. */
    public Message stamped(long millis) {
        return new Message(sender, recipient, text, millis);
    }

    /** @return e.g. {@code 12:00:01 alice -> bob: hi}. */
    public String display() {
        return TIME.format(Instant.ofEpochMilli(timestamp)) + " " + sender + " -> " + recipient + ": " + text;
    }
}
