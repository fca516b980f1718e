package io.sluice.client.internal;

import io.sluice.broker.SluiceBroker;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceException;
import io.sluice.client.TestBroker;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

class ClientAgentTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    File dataDirectory;

    private SluiceBroker broker;
    private DefaultSluiceClient client;

    @BeforeEach
    void launch()
    {
        broker = TestBroker.launch(dataDirectory);
        client = (DefaultSluiceClient)SluiceClient.create(TestBroker.options(broker));
    }

    @AfterEach
    void close()
    {
        CloseHelper.closeAll(client, broker);
    }

    /**
     * A flow that throws from its duty cycle ends with the exception, once; the agent goes on serving the others.
     */
    @Test
    void shouldEndAFlowThatThrowsAndKeepServingTheRest() throws Exception
    {
        final AtomicInteger cycles = new AtomicInteger();
        final CompletableFuture<SluiceException> failure = new CompletableFuture<>();
        final ClientAgent agent = client.agent();
        agent.execute(() -> agent.add(new ClientAgent.Flow()
        {
            public int doWork(final long nowNs)
            {
                cycles.incrementAndGet();
                throw new IllegalStateException("a bug in a flow");
            }

            public void fail(final SluiceException error)
            {
                failure.complete(error);
            }
        }));

        final SluiceException error = failure.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertEquals("a bug in a flow", error.getMessage());
        assertEquals(IllegalStateException.class, error.getCause().getClass());
        // Two more trips through the agent's duty cycle: the flow is not run again.
        client.heldBytes().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        client.heldBytes().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(1, cycles.get());
        assertNotNull(client.admin().createTopic("after", 1, 1, Map.of()).block(TIMEOUT));
    }
}
