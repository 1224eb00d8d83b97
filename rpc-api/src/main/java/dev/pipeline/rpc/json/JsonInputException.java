package dev.pipeline.rpc.json;

/** Input that could not be turned into JSON: too large, too deep, not UTF-8, or not JSON. */
public final class JsonInputException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why the input was refused. */
    public enum Kind {
        /** Larger than the configured maximum. */
        TOO_LARGE("too-large"),
        /** Nested deeper than the configured maximum. */
        TOO_DEEP("too-deep"),
        /** Not valid UTF-8 or not valid JSON. */
        SYNTAX("parse");

        private final String tag;

        Kind(String tag) {
            this.tag = tag;
        }

        /** @return the metrics tag of this kind. */
        public String tag() {
            return tag;
        }
    }

    /** Why the input was refused. */
    private final Kind kind;

    JsonInputException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    /** @return why the input was refused. */
    public Kind kind() {
        return kind;
    }
}
