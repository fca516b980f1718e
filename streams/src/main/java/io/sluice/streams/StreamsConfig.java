package io.sluice.streams;

import io.sluice.client.ClientOptions;
import io.sluice.transport.HostPort;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link StreamsApp} runs: its application id (also its consumer group and the prefix of its internal
 * topics), how to reach the brokers, and the runtime's bounds. Immutable: each {@code withXxx} returns a copy; bad
 * values are refused when set.
 */
public final class StreamsConfig
{
    /** Default of {@link #maxInFlightRecords()}. */
    public static final int MAX_IN_FLIGHT_RECORDS_DEFAULT = 1000;

    private final String applicationId;
    private final ClientOptions clientOptions;
    private final int maxInFlightRecords;
    private final Duration commitInterval;
    private final int replicationFactor;
    private final int repartitionPartitions;
    private final Duration heartbeatInterval;
    private final Duration restoreTimeout;
    private final Duration closeTimeout;

    private StreamsConfig(
        final String applicationId,
        final ClientOptions clientOptions,
        final int maxInFlightRecords,
        final Duration commitInterval,
        final int replicationFactor,
        final int repartitionPartitions,
        final Duration heartbeatInterval,
        final Duration restoreTimeout,
        final Duration closeTimeout)
    {
        this.applicationId = requireApplicationId(applicationId);
        this.clientOptions = Objects.requireNonNull(clientOptions, "clientOptions");
        if (maxInFlightRecords < 1)
        {
            throw new IllegalArgumentException("maxInFlightRecords must be at least 1: " + maxInFlightRecords);
        }
        this.maxInFlightRecords = maxInFlightRecords;
        this.commitInterval = requirePositive(commitInterval, "commitInterval");
        if (replicationFactor < 1)
        {
            throw new IllegalArgumentException("replicationFactor must be at least 1: " + replicationFactor);
        }
        this.replicationFactor = replicationFactor;
        if (repartitionPartitions < 0)
        {
            throw new IllegalArgumentException("repartitionPartitions must be 0 (derived) or more: " +
                repartitionPartitions);
        }
        this.repartitionPartitions = repartitionPartitions;
        this.heartbeatInterval = requirePositive(heartbeatInterval, "heartbeatInterval");
        this.restoreTimeout = requirePositive(restoreTimeout, "restoreTimeout");
        this.closeTimeout = requirePositive(closeTimeout, "closeTimeout");
    }

    /**
     * @param applicationId the application's id: letters, digits, {@code .}, {@code _} and {@code -}.
     * @param clientOptions of the client the application runs over (bootstrap brokers, timeouts, media driver).
     * @return a configuration with defaults for the rest.
     */
    public static StreamsConfig create(final String applicationId, final ClientOptions clientOptions)
    {
        return new StreamsConfig(applicationId, clientOptions, MAX_IN_FLIGHT_RECORDS_DEFAULT, Duration.ofSeconds(1),
            1, 0, Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofSeconds(30));
    }

    /**
     * @param applicationId the application's id.
     * @param bootstrap     {@code HOST:PORT} of a broker, or several separated by commas.
     * @return a configuration with the client's defaults.
     */
    public static StreamsConfig create(final String applicationId, final String bootstrap)
    {
        return create(applicationId, ClientOptions.create(bootstrap));
    }

    /**
     * @param applicationId the application's id.
     * @param bootstrap     a broker.
     * @return a configuration with the client's defaults.
     */
    public static StreamsConfig create(final String applicationId, final HostPort bootstrap)
    {
        return create(applicationId, ClientOptions.create(bootstrap.toString()));
    }

    /**
     * @param clientOptions replace the client's options (its bootstrap included).
     * @return a copy.
     */
    public StreamsConfig withClientOptions(final ClientOptions clientOptions)
    {
        return new StreamsConfig(applicationId, clientOptions, maxInFlightRecords, commitInterval, replicationFactor,
            repartitionPartitions, heartbeatInterval, restoreTimeout, closeTimeout);
    }

    /**
     * @param brokerTimeout how long a silent broker connection is taken to be lost (the client's).
     * @return a copy.
     */
    public StreamsConfig withBrokerTimeout(final Duration brokerTimeout)
    {
        return withClientOptions(clientOptions.withBrokerTimeout(brokerTimeout));
    }

    /**
     * @param maxInFlightRecords most input records processed whose output and store changes the broker has not yet
     *                           acknowledged; once reached, no more records are requested from the consumer.
     * @return a copy.
     */
    public StreamsConfig withMaxInFlightRecords(final int maxInFlightRecords)
    {
        return new StreamsConfig(applicationId, clientOptions, maxInFlightRecords, commitInterval, replicationFactor,
            repartitionPartitions, heartbeatInterval, restoreTimeout, closeTimeout);
    }

    /**
     * @param commitInterval between commits of the offsets of input records whose output is durable.
     * @return a copy.
     */
    public StreamsConfig withCommitInterval(final Duration commitInterval)
    {
        return new StreamsConfig(applicationId, clientOptions, maxInFlightRecords, commitInterval, replicationFactor,
            repartitionPartitions, heartbeatInterval, restoreTimeout, closeTimeout);
    }

    /**
     * @param replicationFactor of the internal topics the application creates.
     * @return a copy.
     */
    public StreamsConfig withReplicationFactor(final int replicationFactor)
    {
        return new StreamsConfig(applicationId, clientOptions, maxInFlightRecords, commitInterval, replicationFactor,
            repartitionPartitions, heartbeatInterval, restoreTimeout, closeTimeout);
    }

    /**
     * @param repartitionPartitions partitions of the repartition topics the application creates; 0 (the default)
     *                              for as many as the largest source topic of the sub-topology that writes them.
     * @return a copy.
     */
    public StreamsConfig withRepartitionPartitions(final int repartitionPartitions)
    {
        return new StreamsConfig(applicationId, clientOptions, maxInFlightRecords, commitInterval, replicationFactor,
            repartitionPartitions, heartbeatInterval, restoreTimeout, closeTimeout);
    }

    /**
     * @param heartbeatInterval of the application's group membership: the longest it takes to notice a rebalance.
     * @return a copy.
     */
    public StreamsConfig withHeartbeatInterval(final Duration heartbeatInterval)
    {
        return new StreamsConfig(applicationId, clientOptions, maxInFlightRecords, commitInterval, replicationFactor,
            repartitionPartitions, heartbeatInterval, restoreTimeout, closeTimeout);
    }

    /**
     * @param restoreTimeout longest a store's restoration from its changelog may take; longer fails the application.
     * @return a copy.
     */
    public StreamsConfig withRestoreTimeout(final Duration restoreTimeout)
    {
        return new StreamsConfig(applicationId, clientOptions, maxInFlightRecords, commitInterval, replicationFactor,
            repartitionPartitions, heartbeatInterval, restoreTimeout, closeTimeout);
    }

    /**
     * @param closeTimeout longest {@link StreamsApp#close()} waits for sends in flight, then for the final commit.
     * @return a copy.
     */
    public StreamsConfig withCloseTimeout(final Duration closeTimeout)
    {
        return new StreamsConfig(applicationId, clientOptions, maxInFlightRecords, commitInterval, replicationFactor,
            repartitionPartitions, heartbeatInterval, restoreTimeout, closeTimeout);
    }

    public String applicationId()
    {
        return applicationId;
    }

    public ClientOptions clientOptions()
    {
        return clientOptions;
    }

    public int maxInFlightRecords()
    {
        return maxInFlightRecords;
    }

    public Duration commitInterval()
    {
        return commitInterval;
    }

    public int replicationFactor()
    {
        return replicationFactor;
    }

    /**
     * @return partitions of new repartition topics, or 0 when derived from the writing sub-topology's sources.
     */
    public int repartitionPartitions()
    {
        return repartitionPartitions;
    }

    public Duration heartbeatInterval()
    {
        return heartbeatInterval;
    }

    public Duration restoreTimeout()
    {
        return restoreTimeout;
    }

    public Duration closeTimeout()
    {
        return closeTimeout;
    }

    public String toString()
    {
        return "StreamsConfig{applicationId=" + applicationId + ", bootstrap=" + clientOptions.bootstrap() +
            ", maxInFlightRecords=" + maxInFlightRecords + ", commitInterval=" + commitInterval +
            ", replicationFactor=" + replicationFactor + '}';
    }

    private static String requireApplicationId(final String applicationId)
    {
        Objects.requireNonNull(applicationId, "applicationId");
        if (applicationId.isEmpty() || !applicationId.matches("[A-Za-z0-9._-]+"))
        {
            throw new IllegalArgumentException("applicationId must be letters, digits, '.', '_' and '-': '" +
                applicationId + "'");
        }
        return applicationId;
    }

    private static Duration requirePositive(final Duration duration, final String name)
    {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero())
        {
            throw new IllegalArgumentException(name + " must be positive: " + duration);
        }
        return duration;
    }
}
