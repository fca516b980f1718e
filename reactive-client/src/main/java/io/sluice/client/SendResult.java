package io.sluice.client;

/**
 * The outcome of one sent record, with its correlation metadata.
 *
 * @param topic               the record was sent to.
 * @param partition           it went to, or -1 if none was chosen.
 * @param offset              it was appended at; -1 with {@code acks=0} (nothing tells it) or on failure.
 * @param correlationMetadata as given in the {@link ProducerRecord}.
 * @param exception           why it failed, or {@code null} if it was sent (and, with acks, acknowledged).
 * @param <T>                 correlation metadata type.
 */
public record SendResult<T>(String topic, int partition, long offset, T correlationMetadata, SluiceException exception)
{
    /**
     * @return whether the record was sent, and acknowledged if the producer asked for acknowledgements.
     */
    public boolean isSuccess()
    {
        return null == exception;
    }
}
