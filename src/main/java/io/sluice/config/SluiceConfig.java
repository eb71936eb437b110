package io.sluice.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Sluice's own settings, all under {@code sluice.*}; Quarkus and Kafka settings keep their own names. */
@ConfigMapping(prefix = "sluice")
public interface SluiceConfig {

    Topics topics();

    Health health();

    Ingest ingest();

    Security security();

    Sink sink();

    Alerts alerts();

    Reconcile reconcile();

    Pitfalls pitfalls();

    Quotas quotas();

    Schema schema();

    interface Schema {
        /**
         * Whether start-up brings the database schema to this build's version (Flyway, when the
         * migrations history says there is anything to do). Off where a DBA applies migrations.
         */
        @WithDefault("true")
        boolean migrateAtStart();
    }

    /**
     * What one tenant may hold or use at once, so no tenant can take the service from the
     * others. These are the defaults; the platform operator overrides any of them per tenant
     * ({@code PUT /v1/admin/quotas/{tenant}}).
     */
    interface Quotas {
        /**
         * Rules a tenant may hold. Every stored event of the tenant is matched against its
         * rules of the event's type inside the sink's transaction, which all tenants share.
         */
        @WithDefault("200")
        int rules();

        /** Usable (neither revoked nor expired) API keys a tenant may hold. */
        @WithDefault("100")
        int keys();

        /** Open alert streams of a tenant on each replica, whichever of its keys they use. */
        @WithDefault("50")
        int streams();

        /** Replays of a tenant running or waiting at once, on each replica. */
        @WithDefault("1")
        int replays();

        /** The longest time range one replay may cover. */
        @WithDefault("24h")
        Duration replayRange();

        /**
         * Requests per rate-limit window ({@code sluice.security.rate-limit.window}) of all of
         * a tenant's credentials together, counted across replicas; 0 turns it off.
         */
        @WithDefault("40000")
        int requests();

        /** How often each replica reloads the per-tenant overrides; the replica that takes a change applies it at once. */
        @WithDefault("10s")
        Duration refresh();
    }

    interface Pitfalls {
        /** Any failed check keeps readiness DOWN (a replica set up to lose data gets no traffic). */
        @WithDefault("false")
        boolean strict();

        /** Readiness re-makes the report at most this often. */
        @WithDefault("30s")
        Duration recheckInterval();
    }

    interface Reconcile {
        /** How often each replica adds its counts of events answered 2xx to PostgreSQL. */
        @WithDefault("1s")
        Duration flushInterval();

        /** Whether this replica takes part in counting what Kafka acknowledged, from the events topic. */
        @WithDefault("true")
        boolean ledgerEnabled();

        /** The consumer group that shares the events topic's partitions out among the replicas' ledgers. */
        @WithDefault("sluice-ledger")
        String ledgerGroup();

        /**
         * The longest an event can take from acceptance to its append to the events topic: at
         * least the events producer's {@code max.block.ms} plus {@code delivery.timeout.ms}, plus
         * the clock difference between replicas. A minute is settled once the ledger and the sink
         * have read what was appended up to this long after it ended.
         */
        @WithDefault("30s")
        Duration maxAppendDelay();

        /** How often each replica reads how far the ledger and the sink have come (the settled minutes). */
        @WithDefault("2s")
        Duration horizonInterval();

        /** How often the drift metric is recomputed; 0 turns it off. It counts the window's rows of {@code events}. */
        @WithDefault("1m")
        Duration driftInterval();

        /** The settled minutes the drift metric covers, ending at the last settled minute. */
        @WithDefault("15m")
        Duration driftWindow();

        /** The longest range one reconcile request may cover. */
        @WithDefault("7d")
        Duration maxRange();
    }

    interface Alerts {
        /** How often each replica looks for alerts not yet relayed to Kafka (it also looks right after raising one). */
        @WithDefault("1s")
        Duration relayInterval();

        /** Alerts relayed per transaction. */
        @WithDefault("500")
        int relayBatch();

        /**
         * The most (event, rule) pairs the sink evaluates in one pass: a batch with more is
         * evaluated in consecutive passes in the same transaction, so no statement or array
         * grows past this however many rules a tenant holds.
         */
        @WithDefault("10000")
        int maxMatchesPerPass();

        /** How often absence rules are checked (by one replica at a time). */
        @WithDefault("5s")
        Duration absenceCheckInterval();

        Stream stream();

        interface Stream {
            /** A comment line this often keeps proxies from closing a quiet stream and finds dead clients. */
            @WithDefault("15s")
            Duration heartbeat();

            /** The {@code retry:} hint: how long a client waits before reconnecting. */
            @WithDefault("2s")
            Duration retry();

            /**
             * Alerts handed to one client's connection and not yet written to its socket. Beyond
             * it nothing more is taken for that client (the rest stays in the history until it
             * catches up), so a slow client never grows the heap.
             */
            @WithDefault("64")
            int buffer();

            /** A client whose buffer stays full this long is cut off with a final event; it resumes with Last-Event-ID. */
            @WithDefault("10s")
            Duration maxStall();

            /** Alerts read from the history at a time while a client catches up. */
            @WithDefault("500")
            int catchUpPage();
        }
    }

    interface Topics {
        /** Where accepted events go; the sink consumes it. */
        @WithDefault("sluice.events")
        String events();

        /** Where records that cannot be stored go, with the error in headers. */
        @WithDefault("sluice.events.dlq")
        String deadLetter();

        /** Raised alerts, read by every replica so any replica can stream them. */
        @WithDefault("sluice.alerts")
        String alerts();
    }

    interface Health {
        /** How long readiness waits for the Kafka cluster to answer before reporting DOWN. */
        @WithDefault("3s")
        Duration kafkaTimeout();
    }

    interface Ingest {
        /** Deeper JSON is refused with 400: deep nesting is a parser attack, never an event. */
        @WithDefault("32")
        int maxNestingDepth();

        /** Events in one request, whatever the mode. */
        @WithDefault("10000")
        int maxEventsPerRequest();

        /**
         * Request bytes waiting for Kafka's acknowledgement, over all requests. Beyond it new
         * requests get 503 at once: the gateway's memory stays bounded however slow Kafka is.
         * Keep it below the producer's buffer.memory so a send never blocks on a full buffer.
         */
        @WithDefault("32M")
        MemorySize maxInFlightBytes();

        /** The longest a client waits for Kafka's acknowledgement before it gets 503. */
        @WithDefault("20s")
        Duration ackTimeout();

        /** Sent as Retry-After with every 503. */
        @WithDefault("2s")
        Duration retryAfter();

        /** More request headers than this get 431. */
        @WithDefault("100")
        int maxHeaderCount();

        Fault fault();

        interface Fault {
            /**
             * Test only: halts the process (no shutdown hooks, like SIGKILL) when the n-th
             * request has every event acknowledged by Kafka, before it is answered; 0, never.
             */
            @WithDefault("0")
            int haltAfterAck();
        }
    }

    interface Security {
        /**
         * An admin key from configuration, so a new installation can create its first keys. It
         * is bound to no tenant: it manages keys of every tenant and nothing else. Unset, no
         * bootstrap key exists.
         */
        Optional<String> bootstrapAdminKey();

        /** How often each replica reloads the API keys; a key revoked on another replica stops working within this. */
        @WithDefault("2s")
        Duration keyRefresh();

        /**
         * PostgreSQL lookups per second (per replica) of key ids the snapshot does not hold: keys
         * made on another replica since the last refresh, and made-up ones. Beyond it such a key
         * is refused until a refresh brings it, so a flood of made-up keys costs the database
         * this many queries a second, not one per request; 0 answers from the snapshot alone.
         */
        @WithDefault("5")
        int unknownKeyLookups();

        Jwt jwt();

        RateLimit rateLimit();

        FailedAuth failedAuth();

        Streams streams();

        Tickets tickets();

        interface Jwt {
            /** The claim that names the token's tenant; a token without it is refused. */
            @WithDefault("tenant")
            String tenantClaim();
        }

        interface RateLimit {
            /**
             * Requests one key may make per window, counted across replicas in Redis; 0 turns the
             * limit off. The default stops a runaway client, not a busy one: one replica on two
             * cores takes about 12,000 single-event requests a second.
             */
            @WithDefault("20000")
            int requests();

            @WithDefault("1s")
            Duration window();
        }

        /**
         * Refused credentials per client address, counted in each replica's memory: cheap, no
         * Redis round trip on the failure path, and it holds while Redis is away; an address
         * reaching {@code n} replicas gets {@code n} times the attempts.
         */
        interface FailedAuth {
            /**
             * Refused credentials (made-up or wrong keys, bootstrap key guesses, bad JWTs, bad
             * tickets) one client address may present per window; past it, every request of
             * that address that carries a credential gets 429 until the window ends, without
             * the credential being checked. 0 turns the limit off.
             */
            @WithDefault("100")
            int attempts();

            /** Starts at an address's first refused credential (a fixed window). */
            @WithDefault("1m")
            Duration window();

            /**
             * Addresses remembered at most; those whose window is over are forgotten first, so a
             * flood of addresses cannot grow the heap.
             */
            @WithDefault("10000")
            int addresses();
        }

        interface Streams {
            /** Open alert streams per key (per replica). */
            @WithDefault("20")
            int perKey();

            /** Open alert streams in all (per replica): each costs a socket and a bounded buffer. */
            @WithDefault("2000")
            int total();
        }

        interface Tickets {
            /** How long a stream ticket can be redeemed (once) after it was issued. */
            @WithDefault("30s")
            Duration ttl();
        }
    }

    interface Sink {
        /**
         * How long a Redis claim keeps other consumers off an event. A claim is never
         * renewed: when its owner dies, the event is free again after this long.
         */
        @WithDefault("30s")
        Duration claimLease();

        /** How long Redis remembers a stored event; the database constraint remembers for ever. */
        @WithDefault("7d")
        Duration doneTtl();

        /** Attempts at a record whose data the database refuses, before it is dead-lettered. */
        @WithDefault("5")
        int maxAttempts();

        /** First pause between attempts; it doubles up to {@link #maxBackoff()}. */
        @WithDefault("200ms")
        Duration initialBackoff();

        @WithDefault("10s")
        Duration maxBackoff();

        /** How often the sink group's lag per partition is read from the cluster. */
        @WithDefault("5s")
        Duration lagInterval();

        /**
         * Whether the next batch is decoded and claimed while the one ahead of it is written
         * (the writes themselves stay one at a time, in order). Off, each batch is finished
         * before the next one starts: for comparing the two.
         */
        @WithDefault("true")
        boolean overlapBatches();

        /** Test-only fault injection: never set in production. */
        Fault fault();

        interface Fault {
            /**
             * Halts the process (no shutdown hooks, like SIGKILL) at this step:
             * {@code none}, {@code after-claim}, {@code after-db-commit}, {@code after-offset-commit}.
             */
            @WithDefault("none")
            String haltAt();

            /** Halts on this occurrence of the step (1 = the first batch that reaches it). */
            @WithDefault("1")
            int haltOnOccurrence();
        }
    }
}
