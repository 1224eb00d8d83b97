package dev.pipeline.examples.messenger;

/** What {@code messenger.send} answers: the message's number in the messenger's log and its timestamp. */
public record Receipt(long id, long timestamp) {
}
