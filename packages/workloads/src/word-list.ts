// Plain everyday words that synthetic prompts are made of. Written for this package; nearly
// all of them are one token, with a leading space, in both OpenAI vocabularies, which
// `synthetic-text.ts` checks and filters at load time rather than trusting this list.
export const WORDS: readonly string[] = `
able about above across act add after again against age ago air all almost alone along
already also always among and animal answer any apple area arm around art ask away baby
back bad bag ball bank base basket bath bear beautiful bed before begin behind bell below
best better between big bird black blue board boat body bone book both bottom box boy
bread break bridge bright bring brother brown build busy but buy cake call calm camera
can capital car card care carry case cat catch center chair chance change cheap check
child choose circle city class clean clear climb clock close cloud coast coat coffee
cold color come common cook cool copy corner count country course cover cow cross crowd
cup cut dance dark day dead deal dear deep desk detail develop different dinner direct
dirty discover doctor dog door double down draw dream dress drink drive drop dry during
each early earth east easy eat edge egg eight either empty end energy enjoy enough enter
equal even evening event ever every exact example eye face fact fair fall family famous
far farm fast father favorite feel few field fifth fight fill film final find fine finger
finish fire first fish five flat floor flower fly follow food foot for force forest
forget form forward four free fresh friend from front fruit full fun future game garden
gate gather general gentle gift girl give glad glass gold good grass gray great green
ground group grow guess guide hair half hall hand happy hard hat have head health hear
heart heat heavy help here high hill history hold hole home hope horse hot hour house
huge human hundred idea image important inch inside island job join journey jump just
keep key kind king kitchen knee know lake land language large last late laugh lead leaf
learn leave left leg lesson letter level library life light like line lion list listen
little live long look lot loud love low lunch machine main make man many map mark market
matter meal mean measure meet metal middle might mile milk mind minute miss model moment
money month moon more morning most mother mountain mouth move music name narrow nation
natural near need never new news next nice night nine noise north nose note number ocean
offer office often oil old once one only open orange order other outside over own page
paint pair paper park part party pass past path pattern pay peace pen people perfect
person pick picture piece place plan plant play please point poor popular position
power present press pretty price print problem program public pull push quick quiet
race radio rain raise reach read ready real reason red region remember rest rich ride
right ring river road rock roof room root rope round row rule run safe sail salt same
sand save say school science sea season seat second see seed sell send sense serve set
seven shape share sharp sheep shell shine ship shoe shop short show side sign silver
simple since sing sister sit six size skin sky sleep slow small smile snow soft soil
some song soon sound south space speak special speed spring square stand star start
station stay step still stone stop store story straight strange street strong student
study subject sugar summer sun sure surface sweet swim table tail take talk tall teach
team ten test than thank thick thin thing think third three through time tiny today
together tomorrow tool top touch toward town track trade train travel tree trip true
try turn twelve two under unit until upon use usual valley value very view village
visit voice wait walk wall warm wash watch water wave way weather week weight west wheel
where while white whole wide wild will wind window winter wise with wonder wood word
work world write year yellow young
`
  .trim()
  .split(/\s+/);
