package dev.pipeline.rpc;

import java.math.BigDecimal;
import java.time.Duration;

/** Durations in the units a person reads in an error message: {@code 30 s}, {@code 250 ms}, {@code 2 min}. */
final class Durations {
    private Durations() {
    }

    /**
     * @return {@code d} in the largest unit that shows it exactly, or seconds with decimals: {@code 30 s},
     * {@code 1.5 s}, {@code 250 ms}, {@code 2 min}, {@code 1 h}, {@code 90 s}, {@code 800 µs}
     */
    static String human(Duration d) {
        if (d == null) {
            return "no time";
        }
        long nanos;
        try {
            nanos = d.toNanos();
        } catch (ArithmeticException e) {
            return d.toDays() + " days";
        }
        if (nanos < 0) {
            return "-" + human(d.negated());
        }
        if (nanos < 1_000_000) {
            return nanos % 1_000 == 0 ? nanos / 1_000 + " µs" : nanos + " ns";
        }
        if (nanos < 1_000_000_000) {
            return decimal(nanos, 1_000_000) + " ms";
        }
        long seconds = d.getSeconds();
        if (d.getNano() == 0 && seconds % 3600 == 0) {
            return seconds / 3600 + " h";
        }
        if (d.getNano() == 0 && seconds % 60 == 0) {
            return seconds / 60 + " min";
        }
        return decimal(nanos, 1_000_000_000) + " s";
    }

    /** {@code value / unit} without trailing zeros, at most three decimals. */
    private static String decimal(long value, long unit) {
        BigDecimal v = BigDecimal.valueOf(value).divide(BigDecimal.valueOf(unit));
        v = v.setScale(Math.min(3, Math.max(0, v.scale())), java.math.RoundingMode.HALF_UP).stripTrailingZeros();
        return v.toPlainString();
    }
}
