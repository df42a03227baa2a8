import { foldText, stem } from './text.js';

/*
 * Hand-written cue groups for the intent classifier: words that mean the same thing for intent purposes, across
 * the languages the inbox sees most. Each group becomes one feature, so an example in English teaches the model
 * about its Spanish, French, German and Portuguese equivalents too, which ~100 examples per intent cannot.
 * They are features, not rules: the trained weights decide what each group is worth.
 */
const CUE_GROUPS: Record<string, string> = {
  greet:
    'hi hello hey hiya howdy yo sup gm greetings welcome morning afternoon evening hola buenas buenos bonjour ' +
    'bonsoir salut hallo servus moin ola oi ciao',
  bye:
    'bye goodbye adios revoir tschuss tchau later night regards|take care|see you|talk soon|that is all|thats all|' +
    'that s everything|thats everything',
  thanks: 'thanks thank thx ty gracias merci danke obrigado obrigada grazie appreciate appreciated',
  buy:
    'buy buying purchase order ordering reserve subscribe upgrade renew preorder comprar compra pedir acheter ' +
    'commander kaufen bestellen encomendar quiero voudrais mochte gostaria|sign me up|ill take|i will take|' +
    'take my money|put me down|add another|add more|send me a quote|payment link',
  price:
    'price prices cost costs quote discount bulk deal offer precio prix preis preco cheaper licences licenses',
  invoice:
    'invoice invoices bill billing billed receipt factura facture rechnung fatura statement vat tax|nota fiscal|' +
    'credit note|purchase order',
  money:
    'charge charged charges debit debited cobraron cobrado cobro debite belastet payment paid pay card refund ' +
    'refunded reembolso remboursement rembourser erstattung erstatten ruckerstattung reembolsar fee fees ' +
    'instalments installments overcharged|money back|direct debit|auto renew|auto renewal|bank transfer',
  tech:
    'login log password account app website site error crash crashes crashing bug update install installed ' +
    'setup configure connect sync wifi bluetooth reset code verification firmware upload download dashboard ' +
    'contrasena passwort senha aplicacion application aplicativo conta cuenta compte konto drucker|mot de passe|' +
    'sign in|two factor',
  cannot:
    'cant cannot wont doesnt stuck stopped keeps|not working|doesn t work|won t|no puedo|n arrive|kann nicht|' +
    'kann mein|nao consigo|how do i|how can i|how to|como faco|como cambio|wie verbinde',
  delivery:
    'delivery deliver delivered shipping ship shipped parcel package courier tracking envio envios livraison ' +
    'livrez lieferung entrega entregam',
  anger:
    'unacceptable ridiculous terrible worst furious disgusting disgrace appalling awful pathetic livid shameful ' +
    'disappointed disappointing unhappy frustrated rude useless inadmissible pesimo unmoglich decu unzufrieden ' +
    'molesto insatisfeito horrible|never again|fed up|sick of|had enough|rip off|this is a joke|not happy',
  praise:
    'great amazing love loved loving excellent wonderful fantastic brilliant awesome perfect best lovely nice ' +
    'encanta adore adoro adorei toll genial impressed recommend stars delicious beautiful gorgeous enjoyed|' +
    'well done|good job|keep up|10 10|five stars',
  suggest:
    'suggest suggestion idea feature maybe consider should could would seria serait ware|would be great|' +
    'would love|it d be|itd be|would be nice|would be cool|bring back|please add|could use|just saying|' +
    'just a thought|two cents',
  wrong: 'wrong equivocado trompe falsche mistake|wrong number|wrong chat|numero equivocado|falsche nummer',
  scam:
    'won win winner winning congratulations claim click prize lottery lotto crypto bitcoin followers loan loans ' +
    'earn income guaranteed urgent verify suspended inheritance invest investment cheap seo backlinks viagra ' +
    'casino gana ganhe gewinnen felicitations beneficiary dear airdrop wallet forex replica|free iphone|' +
    'gift card|work from home|click here|limited offer|first page of google',
  ask:
    'do does is are can which where when what whats tienen hacen avez habt gibt voces|is there|is it|do you|' +
    'are you|can i|how long|how many|how much|est ce que',
  auto: 'autoreply vacation travelling|out of office|auto reply|automatic reply|limited access|will respond',
  ack: 'ok okay k yes no sure fine noted received vale cool alright|d accord|alles klar|will do',
};

interface CueGroup {
  name: string;
  words: Set<string>;
  phrases: string[];
}

const GROUPS: CueGroup[] = Object.entries(CUE_GROUPS).map(([name, spec]) => {
  const [wordList = '', ...phrases] = spec.split('|');
  const words = new Set<string>();
  for (const word of wordList.split(' ').filter(Boolean)) {
    words.add(word);
    words.add(stem(word));
  }
  return { name, words, phrases: phrases.map((p) => ` ${p} `) };
});

/** The cue groups a message touches, each once. `words` are the message's folded tokens. */
export function intentCues(text: string, words: string[]): string[] {
  const joined = ` ${foldText(text)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()} `;
  const found: string[] = [];
  for (const group of GROUPS) {
    const hit =
      words.some((w) => group.words.has(w) || group.words.has(stem(w))) ||
      group.phrases.some((p) => joined.includes(p));
    if (hit) found.push(group.name);
  }
  return found;
}
