package io.sluice.perf.e2e;

import java.io.File;
import java.util.Objects;

/**
 * What a target sets up for a run.
 *
 * @param topic      name of the topic the phases produce to and consume from.
 * @param partitions of the topic, at least 1.
 * @param recordSize bytes of every record's value, at least {@link #MIN_RECORD_SIZE}.
 * @param directory  parent of the target's scratch directories (logs of the broker); each target creates its own
 *                   uniquely named directory below and deletes it on close.
 */
public record E2eSettings(String topic, int partitions, int recordSize, File directory)
{
    /** The smallest record: the due time and the sequence the harness writes at its start. */
    public static final int MIN_RECORD_SIZE = E2ePayloadDescriptor.MIN_LENGTH;

    /**
     * Validate.
     *
     * @throws IllegalArgumentException if a value is out of range.
     */
    public E2eSettings
    {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(directory, "directory");
        if (partitions < 1)
        {
            throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
        }
        if (recordSize < MIN_RECORD_SIZE)
        {
            throw new IllegalArgumentException("recordSize must be at least " + MIN_RECORD_SIZE + ": " + recordSize);
        }
    }
}
