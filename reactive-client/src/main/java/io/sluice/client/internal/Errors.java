package io.sluice.client.internal;

import io.sluice.client.SluiceException;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.transport.SluiceClientException;

/**
 * Maps broker error codes and transport failures to {@link SluiceException}s of the right kind.
 */
final class Errors
{
    private Errors()
    {
    }

    static SluiceException of(final SluiceClientException ex)
    {
        return of(ex.errorCode(), ex.getMessage(), ex);
    }

    static SluiceException of(final ErrorCode code, final String message, final Throwable cause)
    {
        return new SluiceException(kind(code), code, message, cause);
    }

    static SluiceException connection(final String message)
    {
        return new SluiceException(SluiceException.Kind.CONNECTION, null, message, null);
    }

    static SluiceException serialization(final String message, final Throwable cause)
    {
        return new SluiceException(SluiceException.Kind.SERIALIZATION, null, message, cause);
    }

    static SluiceException invalid(final ErrorCode code, final String message)
    {
        return new SluiceException(SluiceException.Kind.INVALID_REQUEST, code, message, null);
    }

    static SluiceException fromThrowable(final Throwable ex)
    {
        if (ex instanceof SluiceException sluice)
        {
            return sluice;
        }
        if (ex instanceof SluiceClientException client)
        {
            return of(client);
        }
        return new SluiceException(SluiceException.Kind.BROKER, null, String.valueOf(ex.getMessage()), ex);
    }

    /**
     * @param code from the broker.
     * @return whether it means "ask again, of the partition's current leader": the broker does not lead it (any
     * more), it has no leader yet, or an {@code acks=all} produce waited too long for the in-sync replicas (as Kafka's
     * producer, which retries these). Requests refused this way are redone after a metadata refresh; idempotence
     * makes a produce resent this way safe.
     */
    static boolean isLeaderChange(final ErrorCode code)
    {
        return code == ErrorCode.NOT_LEADER || code == ErrorCode.LEADER_NOT_AVAILABLE ||
            code == ErrorCode.REQUEST_TIMED_OUT;
    }

    static SluiceException.Kind kind(final ErrorCode code)
    {
        if (null == code || code == ErrorCode.NOT_CONNECTED || code == ErrorCode.BROKER_SHUTTING_DOWN ||
            code == ErrorCode.NOT_COORDINATOR)
        {
            return SluiceException.Kind.CONNECTION;
        }
        return switch (code)
        {
            case UNKNOWN_TOPIC, UNKNOWN_PARTITION, TOPIC_EXISTS, INVALID_TOPIC, INVALID_PARTITIONS,
                INVALID_REPLICATION_FACTOR, INVALID_CONFIG, RECORD_TOO_LARGE, INVALID_OFFSET, OFFSET_OUT_OF_RANGE,
                INVALID_ACKS, INVALID_GROUP, INVALID_REQUEST, INVALID_CREDIT, TOPIC_DELETED, UNKNOWN_GROUP,
                INCONSISTENT_GROUP_PROTOCOL ->
                SluiceException.Kind.INVALID_REQUEST;
            default -> SluiceException.Kind.BROKER;
        };
    }
}
