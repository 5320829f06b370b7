/*
 * The kernel's console: a PL011 UART driven by polling. It starts at the
 * early-console address (arch/memlayout.h) and moves to the UART the device
 * tree names. Later, devtmpfs drives the UART for user programs; the
 * kernel keeps this path for its own log and for panics.
 */
#include <arch/memlayout.h>
#include <kernel.h>
#include <dt.h>

#define UARTDR		0x00
#define UARTFR		0x18
#define UARTCR		0x30
#define FR_TXFF		(1U << 5)	/* transmit FIFO full */
#define FR_BUSY		(1U << 3)
#define CR_UARTEN	(1U << 0)
#define CR_TXE		(1U << 8)
#define CR_RXE		(1U << 9)

#define EARLY_UART	((volatile uint32_t *)(PAGE_OFFSET + EARLYCON_PL011_PA))

static volatile uint32_t *uart = EARLY_UART;

static void
pl011_putc(char c)
{
	while (uart[UARTFR / 4] & FR_TXFF)
		;
	uart[UARTDR / 4] = (uint32_t)(unsigned char)c;
}

void
hal_console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			pl011_putc('\r');
		pl011_putc(s[i]);
	}
}

void
hal_console_emergency(void)
{
	uart = EARLY_UART;
}

void
hal_console_init(const struct boot_info *bi)
{
	if (bi->uart.base == 0 || bi->uart.base == EARLYCON_PL011_PA)
		return;
	if (hal_map_linear(bi->uart.base, PAGE_SIZE, HAL_MEM_DEVICE) != 0) {
		kprintf("console: cannot map the UART at 0x%lx; keeping the early one\n",
		    bi->uart.base);
		return;
	}
	while (uart[UARTFR / 4] & FR_BUSY)
		;
	uart = hal_phys_to_virt(bi->uart.base);
	uart[UARTCR / 4] = CR_UARTEN | CR_TXE | CR_RXE;
}
