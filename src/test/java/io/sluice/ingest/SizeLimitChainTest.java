package io.sluice.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.ingest.SizeLimitChain.Limits;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SizeLimitChainTest {

    private static final long MIB = 1 << 20;

    @Test
    void theShippedLimitsHold() {
        Limits shipped =
                new Limits(MIB, 3 * MIB / 2, Optional.of(2 * MIB), Optional.of(2 * MIB), Optional.of(50 * MIB));

        assertThat(SizeLimitChain.brokenLinks(shipped)).isEmpty();
    }

    @Test
    void aBodyLimitWhoseRecordsOutgrowTheProducerBreaksTheFirstLink() {
        // 1 MiB of binary data becomes 1.33 MiB of base64 in the record.
        Limits limits = new Limits(MIB, MIB, Optional.empty(), Optional.empty(), Optional.empty());

        assertThat(SizeLimitChain.brokenLinks(limits))
                .singleElement()
                .asString()
                .contains("max-body-size", "max.request.size");
    }

    @Test
    void aTopicSmallerThanTheProducerBreaksTheSecondLink() {
        Limits limits = new Limits(MIB, 2 * MIB, Optional.of(MIB), Optional.empty(), Optional.empty());

        assertThat(SizeLimitChain.brokenLinks(limits))
                .singleElement()
                .asString()
                .contains("max.message.bytes");
    }

    @Test
    void aConsumerThatCannotFetchTheLargestRecordBreaksTheLastLinks() {
        Limits limits = new Limits(MIB, 2 * MIB, Optional.of(2 * MIB), Optional.of(MIB), Optional.of(MIB));

        assertThat(SizeLimitChain.brokenLinks(limits))
                .hasSize(2)
                .anySatisfy(link -> assertThat(link).contains("max.partition.fetch.bytes"))
                .anySatisfy(link -> assertThat(link).contains("fetch.max.bytes"));
    }

    @Test
    void linksThatCannotBeReadAreNotReportedBroken() {
        Limits limits = new Limits(MIB, 2 * MIB, Optional.empty(), Optional.empty(), Optional.empty());

        assertThat(SizeLimitChain.brokenLinks(limits)).isEmpty();
    }
}
