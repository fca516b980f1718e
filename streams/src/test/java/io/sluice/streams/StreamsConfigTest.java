package io.sluice.streams;

import io.sluice.transport.HostPort;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StreamsConfigTest
{
    @Test
    void shouldKeepDefaultsAndCopyOnEachWither()
    {
        final StreamsConfig config = StreamsConfig.create("app", "127.0.0.1:9494");
        final StreamsConfig changed = config.withMaxInFlightRecords(7).withReplicationFactor(3)
            .withCommitInterval(Duration.ofMillis(250)).withBrokerTimeout(Duration.ofSeconds(3));
        assertEquals(StreamsConfig.MAX_IN_FLIGHT_RECORDS_DEFAULT, config.maxInFlightRecords());
        assertEquals(1, config.replicationFactor());
        assertEquals(7, changed.maxInFlightRecords());
        assertEquals(3, changed.replicationFactor());
        assertEquals(Duration.ofMillis(250), changed.commitInterval());
        assertEquals(Duration.ofSeconds(3), changed.clientOptions().brokerTimeout());
        assertEquals("127.0.0.1:9494", StreamsConfig.create("app", HostPort.parse("127.0.0.1:9494"))
            .clientOptions().bootstrap());
    }

    @Test
    void shouldRefuseBadValuesWhenSet()
    {
        assertThrows(IllegalArgumentException.class, () -> StreamsConfig.create("", "127.0.0.1:9494"));
        assertThrows(IllegalArgumentException.class, () -> StreamsConfig.create("a b", "127.0.0.1:9494"));
        assertThrows(IllegalArgumentException.class, () -> StreamsConfig.create("app", "no-port"));
        final StreamsConfig config = StreamsConfig.create("app", "127.0.0.1:9494");
        assertThrows(IllegalArgumentException.class, () -> config.withMaxInFlightRecords(0));
        assertThrows(IllegalArgumentException.class, () -> config.withReplicationFactor(0));
        assertThrows(IllegalArgumentException.class, () -> config.withRepartitionPartitions(-1));
        assertThrows(IllegalArgumentException.class, () -> config.withCommitInterval(Duration.ZERO));
    }
}
