package io.sluice.streams.examples;

import io.sluice.streams.Consumed;
import io.sluice.streams.KTable;
import io.sluice.streams.Materialized;
import io.sluice.streams.Produced;
import io.sluice.streams.Serde;
import io.sluice.streams.StreamsBuilder;
import io.sluice.streams.Topology;

/**
 * A fraud check: payments ({@value #PAYMENTS}, keyed by account, the amount in cents) joined with the table of
 * account limits ({@value #LIMITS}, keyed by account, the limit in cents; the latest record of an account is its
 * limit, a tombstone removes it). A payment over its account's limit, or of an account without a limit, produces
 * an alert on {@value #ALERTS}, keyed by account. The two input topics must be co-partitioned: the same number of
 * partitions, keys partitioned the same way.
 */
public final class FraudCheck
{
    /** Payments: account to amount in cents. */
    public static final String PAYMENTS = "payments";
    /** Limits: account to limit in cents. */
    public static final String LIMITS = "account-limits";
    /** Alerts: account to a description. */
    public static final String ALERTS = "fraud-alerts";
    /** The limits, queryable by account. */
    public static final String LIMITS_STORE = "account-limits-store";

    private FraudCheck()
    {
    }

    /**
     * @return the topology.
     */
    public static Topology topology()
    {
        final StreamsBuilder builder = new StreamsBuilder();
        final KTable<String, Long> limits = builder.table(LIMITS, Consumed.with(Serde.string(), Serde.longs()),
            Materialized.as(LIMITS_STORE));
        builder.stream(PAYMENTS, Consumed.with(Serde.string(), Serde.longs()))
            .leftJoin(limits, FraudCheck::check)
            .filter((account, alert) -> null != alert)
            .to(ALERTS, Produced.with(Serde.string(), Serde.string()));
        return builder.build();
    }

    /**
     * @param amount of a payment, in cents.
     * @param limit  of its account, or null if it has none.
     * @return an alert, or null if the payment is within its limit.
     */
    static String check(final Long amount, final Long limit)
    {
        if (null == limit)
        {
            return "payment of " + amount + " on an account without a limit";
        }
        return amount > limit ? "payment of " + amount + " over the limit of " + limit : null;
    }
}
