/*
 * pl011.h - the ARM PL011 UART's registers (PrimeCell UART r1p5,
 * technical reference manual, chapter 3), as console.c drives them.
 */
#ifndef PL011_H
#define PL011_H

#define UART_DR		0x000		/* data: bits 0-7, receive errors 8-11 */
#define UART_FR		0x018		/* flags */
#define UART_LCR_H	0x02c		/* line control */
#define UART_CR		0x030		/* control */
#define UART_IFLS	0x034		/* FIFO interrupt levels */
#define UART_IMSC	0x038		/* interrupt mask: 1 = enabled */
#define UART_MIS	0x040		/* masked interrupt status */
#define UART_ICR	0x044		/* interrupt clear */

#define FR_BUSY		(1u << 3)
#define FR_RXFE		(1u << 4)	/* receive FIFO empty */
#define FR_TXFF		(1u << 5)	/* transmit FIFO full */
#define FR_TXFE		(1u << 7)	/* transmit FIFO empty */

#define DR_OE		(1u << 11)	/* overrun: a byte was lost before this one */

#define LCR_BRK		(1u << 0)	/* send break */
#define LCR_FEN		(1u << 4)	/* FIFOs on */
#define LCR_WLEN8	(3u << 5)

#define CR_UARTEN	(1u << 0)
#define CR_TXE		(1u << 8)
#define CR_RXE		(1u << 9)

/* IMSC, MIS, ICR bits */
#define INT_RX		(1u << 4)	/* receive FIFO at its level */
#define INT_TX		(1u << 5)	/* transmit FIFO at or below its level */
#define INT_RT		(1u << 6)	/* receive timeout: bytes wait below the level */
#define INT_ERR		(0xfu << 7)	/* framing, parity, break, overrun */
#define INT_ALL		0x7ffu

#define IFLS_TX_1_8	0u		/* TX interrupt at 1/8 full */
#define IFLS_RX_1_8	(0u << 3)	/* RX interrupt at 1/8 full */

#endif
