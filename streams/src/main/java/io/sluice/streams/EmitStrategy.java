package io.sluice.streams;

/**
 * When a windowed aggregation emits: every update (the default), or once per window with its final result when the
 * window closes (stream time past its end plus grace): the "suppress until the window closes" of Kafka Streams, as
 * its KIP-825 {@code emitStrategy(onWindowClose())} puts it.
 */
public enum EmitStrategy
{
    /** Every update of a window's aggregate is emitted. */
    ON_WINDOW_UPDATE,
    /** One result per window, when it closes. */
    ON_WINDOW_CLOSE
}
