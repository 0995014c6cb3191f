/**
 * Name signals: what a column's header says about its class. Headers are split into words the way search
 * splits identifiers (`cust_phone_no` → cust, phone, no; `EMAILADDR` → emailaddr), then matched against
 * each class's words and phrases, in English and, where cheap, German, French, Spanish, Italian, Dutch and
 * Portuguese. A veto word cancels a class (`ip_address` is not a street address, `product_name` not a
 * person's name). Pure.
 */
import { splitIdentifier } from '../../../src/domain/identifiers.ts';
import type { ClassId } from './classes.ts';

interface NameRule {
  /** Single words that signal the class. */
  readonly words?: readonly string[];
  /** Patterns over the words joined with `_` (`credit_card_number`). */
  readonly phrases?: readonly RegExp[];
  /** Patterns over the words joined with nothing (`emailaddr`, `ccnum`). */
  readonly compact?: readonly RegExp[];
  /** Words that cancel the class. */
  readonly veto?: readonly string[];
}

const rules: Readonly<Record<ClassId, NameRule>> = {
  email: {
    words: ['email', 'mail', 'eml', 'correo', 'courriel', 'emailaddr', 'emailaddress'],
    compact: [/^e?mail/, /email/],
    veto: [
      'count',
      'sent',
      'opened',
      'opt',
      'optin',
      'verified',
      'template',
      'campaign',
      'domain',
      'type',
      'status',
      'bounced',
    ],
  },
  phone: {
    words: [
      'phone',
      'tel',
      'telephone',
      'telefon',
      'telefono',
      'mobile',
      'cell',
      'handy',
      'handynummer',
      'telefone',
      'phonenumber',
      'fax',
      'msisdn',
      'ph',
      'portable',
    ],
    phrases: [/num_tel/, /contact_tel/, /tel_no/, /(^|_)tel(_|$)/],
    compact: [/phone/, /telefon/, /^tel(no|nr|num)/],
    veto: ['model', 'brand', 'type', 'verified', 'os', 'count', 'case'],
  },
  person_name: {
    words: [
      'fname',
      'lname',
      'surname',
      'nachname',
      'vorname',
      'nom',
      'prenom',
      'apellido',
      'apellidos',
      'nombre',
      'cognome',
      'achternaam',
      'voornaam',
      'sobrenome',
      'forename',
      'firstname',
      'lastname',
      'fullname',
      'middlename',
      'maidenname',
      'givenname',
      'familyname',
    ],
    phrases: [
      /(first|last|full|middle|given|family|maiden|nick|sur|customer|cust|patient|emp|employee|person|contact|client|member|user|holder|account_holder|cardholder|beneficiary|guardian|spouse|parent)_?name/,
      /contact_person/,
      /name_full/,
    ],
    veto: [
      'product',
      'company',
      'supplier',
      'vendor',
      'file',
      'host',
      'item',
      'table',
      'column',
      'brand',
      'city',
      'street',
      'store',
      'domain',
      'app',
      'file',
      'bank',
      'business',
      'org',
      'organisation',
      'organization',
      'team',
      'group',
      'project',
      'campaign',
      'event',
      'device',
      'server',
    ],
  },
  gender: {
    words: ['gender', 'sex', 'geschlecht', 'sexe', 'genero', 'gndr', 'sesso', 'geslacht', 'genre', 'sexo'],
    veto: ['neutral', 'offender'],
  },
  age: {
    words: ['age', 'alter', 'edad', 'eta', 'leeftijd', 'idade', 'ageyears'],
    veto: [
      'account',
      'days',
      'months',
      'hours',
      'page',
      'image',
      'storage',
      'mileage',
      'usage',
      'package',
      'message',
      'stage',
      'tenure',
      'signup',
      'since',
      'group',
      'range',
      'bucket',
    ],
  },
  date_of_birth: {
    words: [
      'dob',
      'birthdate',
      'birthday',
      'bday',
      'geburtsdatum',
      'geburtstag',
      'nacimiento',
      'naissance',
      'dateofbirth',
      'birth',
      'born',
    ],
    phrases: [
      /date_of_birth/,
      /birth_?date/,
      /fecha_nacimiento/,
      /date_naissance/,
      /data_nascita/,
      /born_on/,
    ],
  },
  street_address: {
    words: [
      'address',
      'addr',
      'street',
      'strasse',
      'straße',
      'adresse',
      'direccion',
      'indirizzo',
      'endereco',
      'adres',
      'straat',
      'calle',
      'rue',
      'via',
    ],
    phrases: [/addr(ess)?_line/, /address_?\d/],
    veto: [
      'ip',
      'mac',
      'email',
      'mail',
      'url',
      'web',
      'type',
      'id',
      'hw',
      'ethernet',
      'wallet',
      'remote',
      'server',
      'verified',
      'count',
      'status',
    ],
  },
  postal_code: {
    words: ['zip', 'zipcode', 'postcode', 'plz', 'postleitzahl', 'cep', 'cap', 'postalcode'],
    phrases: [/postal(_|$)/, /code_postal/, /(^|_)cp(_|$)/, /post_code/, /codigo_postal/, /zip_code/],
    veto: ['file', 'archive', 'attachment', 'compressed', 'password'],
  },
  ip_address: {
    words: ['ip', 'ipv4', 'ipv6', 'ipaddr', 'ipaddress'],
    phrases: [/remote_addr/, /x_forwarded_for/, /client_addr/],
    veto: ['allowlist', 'whitelist', 'enabled', 'count'],
  },
  mac_address: {
    words: ['mac', 'macaddr', 'macaddress', 'bssid', 'hwaddr'],
    phrases: [/hw_addr/, /ethernet_address/, /hardware_address/],
    veto: ['os', 'version', 'model', 'book', 'macbook'],
  },
  payment_card: {
    words: ['pan', 'ccnum', 'ccnumber', 'cardnumber', 'kreditkarte', 'creditcard', 'cc'],
    phrases: [
      /card_(number|no|num|nr)/,
      /credit_?card/,
      /cc_?(num|number|no)/,
      /numero_carte/,
      /payment_card/,
    ],
    compact: [/cardnumber/, /creditcard/],
    veto: [
      'type',
      'brand',
      'expiry',
      'exp',
      'expiration',
      'holder',
      'cvv',
      'cvc',
      'issuer',
      'count',
      'token',
      'last4',
    ],
  },
  card_security_code: {
    words: ['cvv', 'cvv2', 'cvc', 'cvc2', 'csc', 'cid', 'pruefnummer', 'cryptogramme'],
    phrases: [/security_code/, /card_verification/, /verification_value/],
  },
  iban: {
    words: ['iban'],
    compact: [/iban/],
  },
  swift_bic: {
    words: ['bic', 'swift', 'swiftbic', 'swiftcode'],
    phrases: [/swift_code/, /bic_code/],
  },
  bank_account: {
    words: ['kontonummer', 'acctno', 'accountno', 'accountnumber', 'rekeningnummer', 'acct'],
    phrases: [
      /(bank_)?(account|acct|acc)_?(number|num|no|nbr|nr)/,
      /bank_(account|acct)/,
      /numero_cuenta/,
      /conta_bancaria/,
      /routing_?(acct|account|number|no)/,
    ],
    veto: ['iban', 'type', 'status', 'name', 'holder', 'manager', 'age', 'count'],
  },
  us_ssn: {
    words: ['ssn', 'ssns', 'socsec'],
    phrases: [/social_sec/, /soc_sec/, /social_security/],
    veto: ['verified', 'valid', 'count'],
  },
  us_driver_license: {
    words: ['dl', 'dlnumber', 'dlnum', 'driverlicense', 'drvlic'],
    phrases: [
      /driv(er|ers|ing)_licen[cs]e/,
      /(^|_)dl_(number|num|no)/,
      /drv_lic/,
      /license_(number|no|num)/,
      /licence_(number|no|num)/,
    ],
    veto: ['software', 'key', 'plate', 'type', 'expiry', 'state', 'class'],
  },
  passport_number: {
    words: [
      'passport',
      'reisepass',
      'reisepassnummer',
      'passeport',
      'pasaporte',
      'passaporto',
      'paspoort',
      'passaporte',
    ],
    phrases: [/travel_doc/, /num_passeport/],
    veto: ['expiry', 'country', 'issued', 'type', 'photo', 'scan'],
  },
  national_id: {
    words: [
      'dni',
      'nie',
      'bsn',
      'cpf',
      'nin',
      'nino',
      'aadhaar',
      'pesel',
      'personnummer',
      'sin',
      'personalausweis',
      'curp',
      'hetu',
      'nric',
      'rrn',
      'codicefiscale',
    ],
    phrases: [
      /national_id/,
      /codice_fiscale/,
      /ni_number/,
      /id_number/,
      /numero_secu/,
      /citizen_id/,
      /identity_card/,
      /id_card/,
      /personal_id/,
      /social_insurance/,
    ],
    veto: ['type', 'expiry', 'issued', 'country', 'verified'],
  },
  tax_id: {
    words: [
      'tin',
      'ein',
      'vat',
      'utr',
      'nif',
      'cnpj',
      'steuernummer',
      'ustid',
      'taxid',
      'itin',
      'abn',
      'gstin',
      'siren',
      'siret',
    ],
    phrases: [
      /tax_?(id|no|number|num|nr|code)/,
      /vat_?(number|no|id)/,
      /steuer_?id/,
      /partita_iva/,
      /ust_id/,
      /(^|_)tax_no(_|$)/,
    ],
    veto: ['rate', 'amount', 'total', 'pct', 'percent', 'exempt', 'class', 'category', 'type', 'region'],
  },
  vin: {
    words: ['vin', 'fahrgestellnummer', 'chassis'],
    phrases: [/vehicle_(id|identification)/, /chassis_(number|no)/],
  },
  geo_coordinates: {
    words: [
      'latitude',
      'longitude',
      'lat',
      'lng',
      'lon',
      'long',
      'gps',
      'coordinates',
      'coords',
      'geo',
      'breitengrad',
      'laengengrad',
      'latlng',
      'latlon',
      'geolocation',
    ],
    veto: ['lon_name', 'longtext', 'description'],
  },
  credentials: {
    words: [
      'password',
      'passwd',
      'pwd',
      'pass',
      'secret',
      'token',
      'apikey',
      'kennwort',
      'passwort',
      'contrasena',
      'motdepasse',
      'credential',
      'credentials',
      'privatekey',
      'pin',
    ],
    phrases: [
      /api_?key/,
      /access_?token/,
      /auth_?token/,
      /client_secret/,
      /private_key/,
      /secret_key/,
      /refresh_token/,
      /password_hash/,
      /bearer/,
    ],
    veto: [
      'reset',
      'expiry',
      'expires',
      'changed',
      'policy',
      'length',
      'count',
      'required',
      'strength',
      'hint',
      'updated',
      'type',
      'last',
      'enabled',
    ],
  },
  health_code: {
    words: ['icd', 'icd10', 'icd9', 'dx', 'diagnosis', 'diagnose', 'snomed', 'diagnostico'],
    phrases: [/diagnos(is|e)_code/, /dx_code/, /icd_?10/, /condition_code/, /primary_dx/],
    veto: ['count', 'date', 'text', 'description'],
  },
  url: {
    words: ['url', 'uri', 'website', 'homepage', 'link', 'href', 'webpage', 'webseite', 'site'],
    phrases: [/web_?site/, /landing_page/, /_url$/, /^url_/],
    veto: ['slug', 'count', 'clicks', 'type', 'status', 'handle'],
  },
};

/**
 * Words that name some other kind of identifier or quantity: a header holding one of them keeps
 * `pattern` detectors from classifying the column on its values alone (`ticket_no` values laid out like
 * SSNs, `version` values shaped like IP addresses). Validator-backed detectors still apply.
 */
const otherIdentifiers = new Set([
  'ticket',
  'invoice',
  'case',
  'order',
  'ref',
  'reference',
  'tracking',
  'shipment',
  'batch',
  'sku',
  'ean',
  'barcode',
  'gtin',
  'isbn',
  'version',
  'firmware',
  'build',
  'serial',
  'sequence',
  'seq',
  'count',
  'qty',
  'quantity',
  'duration',
  'ms',
  'bytes',
  'size',
  'amount',
  'price',
  'total',
  'date',
  'time',
  'timestamp',
  'checksum',
  'hash',
  'etag',
  'sha256',
  'md5',
  'coupon',
  'promo',
  'voucher',
  'product',
  'item',
  'article',
]);

/** Whether the header names another kind of identifier or quantity (see `otherIdentifiers`). */
export function namesOtherIdentifier(text: string): boolean {
  return splitIdentifier(text).some((w) => otherIdentifiers.has(w));
}

export interface NameSignal {
  readonly class: ClassId;
  /** What matched, for the evidence (`word:phone`, `phrase:card_number`). */
  readonly signal: string;
}

/** The classes a header (or a description) names, with what matched. */
export function nameSignals(text: string): NameSignal[] {
  const words = splitIdentifier(text);
  if (!words.length) return [];
  const joined = words.join('_');
  const compact = words.join('');
  const signals: NameSignal[] = [];
  for (const [cls, rule] of Object.entries(rules) as [ClassId, NameRule][]) {
    if (rule.veto?.some((v) => words.includes(v))) continue;
    const word = rule.words?.find((w) => words.includes(w));
    const phrase = word ? undefined : rule.phrases?.find((p) => p.test(joined));
    const packed = word || phrase ? undefined : rule.compact?.find((p) => p.test(compact));
    const signal = word
      ? `word:${word}`
      : phrase
        ? `phrase:${phrase.exec(joined)?.[0] ?? ''}`
        : packed
          ? `compact:${packed.exec(compact)?.[0] ?? ''}`
          : null;
    if (signal) signals.push({ class: cls, signal });
  }
  return signals;
}
