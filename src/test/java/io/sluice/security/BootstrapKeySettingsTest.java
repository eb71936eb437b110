package io.sluice.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.testing.TestCredentials;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The bootstrap key's minimum strength: at least 32 characters and 128 bits by the estimate
 * (length times log2 of the alphabet its character classes span); a weaker one refuses start-up.
 */
class BootstrapKeySettingsTest {

    @Test
    void noKeyIsNoProblem() {
        assertThat(BootstrapKeySettings.of(Optional.empty()).problem()).isNull();
        assertThat(BootstrapKeySettings.of(Optional.of("  ")).set()).isFalse();
    }

    @Test
    void weakKeysAreRefused() {
        for (String weak : new String[] {
            "sluice-dev-only-admin-key", // 25 characters
            "correcthorsebatterystaple", // 25
            "0123456789012345678901234567890123456", // 37 digits: 122 bits
            "Ab1-Ab1-Ab1-Ab1-Ab1-Ab1-Ab1-Ab1", // 31 characters, 204 bits
        }) {
            BootstrapKeySettings.Verdict verdict = BootstrapKeySettings.of(Optional.of(weak));
            assertThat(verdict.problem())
                    .as(weak)
                    .contains("sluice.security.bootstrap-admin-key is too weak")
                    .contains("at least 32 characters and 128 bits")
                    .doesNotContain(weak);
        }
    }

    @Test
    void theBorderlineIsWhereTheRuleSaysItIs() {
        // 39 digits: 129.6 bits; 38: 126.2.
        assertThat(BootstrapKeySettings.of(Optional.of("1".repeat(39))).problem())
                .isNull();
        assertThat(BootstrapKeySettings.of(Optional.of("1".repeat(38))).problem())
                .contains("126 bits");
        // 32 lower-case letters: 150 bits, and exactly the shortest length.
        assertThat(BootstrapKeySettings.of(Optional.of("k".repeat(32))).problem())
                .isNull();
        assertThat(BootstrapKeySettings.of(Optional.of("k".repeat(31))).problem())
                .contains("31 characters");
        assertThat(BootstrapKeySettings.estimatedBits("aA0-")).isEqualTo(4 * (Math.log(95) / Math.log(2)));
    }

    @Test
    void strongKeysPassAndTheReportSaysNothingAboutThem() {
        String hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"; // openssl rand -hex 32
        String base64 = "cra8OGZIsvx8UlUy1AxzuhcWnfjZjuJy7UIDRZTVvOMioD2J"; // openssl rand -base64 36
        for (String strong : new String[] {hex, base64}) {
            BootstrapKeySettings.Verdict verdict = BootstrapKeySettings.of(Optional.of(strong));
            assertThat(verdict.problem()).as(strong).isNull();
            assertThat(verdict.found()).isEqualTo("set, at least 32 characters and 128 bits");
        }
    }

    @Test
    void aKeyWithWhiteSpaceAtAnEndCouldNeverBePresented() {
        String key = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n";
        assertThat(BootstrapKeySettings.of(Optional.of(key)).problem()).contains("white space");
    }

    @Test
    void aWeakKeyRefusesToStart() {
        assertThatThrownBy(() -> BootstrapKeySettings.refuseWeak(Optional.of("short")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("too weak");
    }

    @Test
    void theTestsOwnKeyPasses() {
        assertThat(BootstrapKeySettings.of(Optional.of(TestCredentials.BOOTSTRAP))
                        .problem())
                .isNull();
    }
}
