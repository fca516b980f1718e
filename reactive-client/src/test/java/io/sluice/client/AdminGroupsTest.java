package io.sluice.client;

import io.sluice.broker.SluiceBroker;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.codecs.client.GroupState;
import io.sluice.transport.GroupDescription;
import io.sluice.transport.GroupListing;
import io.sluice.transport.PartitionRef;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SluiceAdmin#listGroups()} and {@link SluiceAdmin#describeGroup(String)} against a broker.
 */
class AdminGroupsTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    File dataDirectory;

    private SluiceBroker broker;
    private SluiceClient client;

    @BeforeEach
    void launch()
    {
        broker = TestBroker.launch(dataDirectory);
        client = SluiceClient.create(TestBroker.options(broker));
    }

    @AfterEach
    void close()
    {
        CloseHelper.closeAll(client, broker);
    }

    @Test
    void shouldListAndDescribeAGroupWithCommittedOffsetsAndLag()
    {
        final SluiceAdmin admin = client.admin();
        admin.createTopic("payments", 2, 1, Map.of()).block(TIMEOUT);
        send("payments", 0, 5);
        send("payments", 1, 2);
        admin.commitOffset("ledger", new TopicPartition("payments", 0), 3).block(TIMEOUT);
        admin.commitOffset("ledger", new TopicPartition("payments", 1), 2).block(TIMEOUT);
        admin.commitOffset("audit", new TopicPartition("payments", 1), 1).block(TIMEOUT);

        assertEquals(List.of(
            new GroupListing("audit", GroupState.EMPTY, 0, 0, ""),
            new GroupListing("ledger", GroupState.EMPTY, 0, 0, "")),
            admin.listGroups().block(TIMEOUT));

        final GroupDescription ledger = admin.describeGroup("ledger").block(TIMEOUT);
        assertNotNull(ledger);
        assertEquals("ledger", ledger.name());
        assertEquals(GroupState.EMPTY, ledger.state());
        assertEquals(List.of(), ledger.members());
        assertEquals(List.of(
            new GroupDescription.PartitionOffset(new PartitionRef("payments", 0), 3, 5, ""),
            new GroupDescription.PartitionOffset(new PartitionRef("payments", 1), 2, 2, "")),
            ledger.offsets());
        assertEquals(List.of(2L, 0L), ledger.offsets().stream().map(GroupDescription.PartitionOffset::lag).toList());

        final GroupDescription audit = admin.describeGroup("audit").block(TIMEOUT);
        assertNotNull(audit);
        assertEquals(List.of(new GroupDescription.PartitionOffset(new PartitionRef("payments", 1), 1, 2, "")),
            audit.offsets());
        assertEquals(1L, audit.offsets().get(0).lag());
    }

    @Test
    void shouldListNoGroupsOnANewBroker()
    {
        assertEquals(List.of(), client.admin().listGroups().block(TIMEOUT));
    }

    @Test
    void shouldFailToDescribeAnUnknownGroupAsAnInvalidRequest()
    {
        StepVerifier.create(client.admin().describeGroup("nobody"))
            .expectErrorSatisfies((ex) ->
            {
                assertTrue(ex instanceof SluiceException, ex.toString());
                final SluiceException sluice = (SluiceException)ex;
                assertEquals(ErrorCode.UNKNOWN_GROUP, sluice.errorCode());
                assertEquals(SluiceException.Kind.INVALID_REQUEST, sluice.kind());
                assertTrue(sluice.getMessage().contains("nobody"), sluice.getMessage());
            })
            .verify(TIMEOUT);
    }

    @Test
    void shouldFailToDescribeAGroupWithABadNameAsAnInvalidRequest()
    {
        StepVerifier.create(client.admin().describeGroup(""))
            .expectErrorSatisfies((ex) ->
            {
                assertTrue(ex instanceof SluiceException, ex.toString());
                assertEquals(ErrorCode.INVALID_GROUP, ((SluiceException)ex).errorCode());
                assertEquals(SluiceException.Kind.INVALID_REQUEST, ((SluiceException)ex).kind());
            })
            .verify(TIMEOUT);
    }

    private void send(final String topic, final int partition, final int count)
    {
        final List<SendResult<Void>> results = client.producer(
                ProducerOptions.create(Serdes.stringSerializer(), Serdes.stringSerializer()))
            .send(Flux.range(0, count).map((i) -> new ProducerRecord<String, String, Void>(
                topic, partition, null, null, "v" + i, null)))
            .collectList()
            .block(TIMEOUT);
        assertNotNull(results);
        assertEquals(count, results.size());
        assertTrue(results.stream().allMatch((r) -> r.isSuccess() && r.partition() == partition), results.toString());
    }
}
